"""The built engine cached on disk, so that a process starts without parsing YAML or building the index.

A cache file is named by a hash of every knowledge file's path and bytes and of the code that builds an
engine (``code_version``: any change to the engine, the loader, this module or their libraries makes a new
name). It holds the engine's head (the knowledge, which document holds which word) and each document's matcher
as a part of its own, with a table of their offsets and checksums: a process reads the head, then only the
documents its questions need; a damaged document is rebuilt from the knowledge. It lives in
``$CTO_BOT_DATA_DIR/cache/``, mode 0600, and is written to a temporary file then renamed, so that processes
sharing the folder never read half a file (a process keeps its file open: a newer one may replace it). A file
that cannot be read is logged, removed and rebuilt; only the most recently used few are kept. ``CTO_BOT_CACHE=0``
(or ``--no-cache``) turns the cache off.

Run as ``python -m bot.infra.cache PATH...`` it builds the engine in its own process (for a reload that does
not hold the serving process's GIL) and prints where the pickle is, or the knowledge's problems, as JSON.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import io
import json
import logging
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import bot.core
from bot.core.documents import LazyMatchers
from bot.core.engine import Engine
from bot.core.index import Index
from bot.core.knowledge import Knowledge
from bot.core.matcher import Matcher
from bot.core.postings import PackedPostings
from bot.errors import KnowledgeError
from bot.infra import loader
from bot.infra.loader import knowledge_files, load_knowledge
from bot.service.reload import KnowledgeSource

log = logging.getLogger(__name__)

CACHE_ENV = "CTO_BOT_CACHE"
KEEP = 4
"""How many cache files are kept (the most recently used): a few knowledge versions, or folders, in turn."""
BUILD_SECONDS = 900.0
"""How long a reload's child process may take to build an engine before it is stopped."""
LOCK_SECONDS = 300.0
"""How long a process waits for another one building the same engine before it builds it too."""
STALE_TEMPORARY_SECONDS = 3600
"""A temporary file older than this was left by a process that died while writing: it is removed."""
_PREFIX, _SUFFIX = "engine-", ".pickle"


def cache_enabled(environ: Mapping[str, str]) -> bool:
    """False when ``CTO_BOT_CACHE`` is ``0``, ``false``, ``no`` or ``off``."""
    return environ.get(CACHE_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@lru_cache(maxsize=1)
def code_version() -> bytes:
    """What builds an engine: the bytes of every ``bot/core`` module, of the YAML loader and of this module (the
    file's layout), the Python version, and the installed files of the libraries that parse and stem (an
    upgrade changes their size or time).

    Stronger than the package version, which stays the same between development commits, and read without
    ``importlib.metadata`` (50 to 100 ms at every start)."""
    digest = hashlib.sha256(f"{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
    sources = sorted(Path(next(iter(bot.core.__path__))).glob("*.py")) + [Path(loader.__file__), Path(__file__)]
    for module in sources:
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for name in ("yaml", "_yaml", "snowballstemmer", "Stemmer", "rapidfuzz"):
        library = getattr(sys.modules.get(name), "__file__", None)
        if library:
            status = os.stat(library)
            digest.update(f"{name}:{status.st_size}:{status.st_mtime_ns}".encode())
    return digest.digest()


def knowledge_key(files: Iterable[Path]) -> str:
    """The cache key of the engine over ``files``: their paths and contents, and the code version."""
    digest = hashlib.sha256(code_version())
    for file in files:
        content = file.read_bytes()
        digest.update(f"\0{file.resolve()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:40]


class EngineCache:
    """Engines pickled in one folder, one file per key."""

    def __init__(self, directory: Path, *, keep: int = KEEP):
        self.directory = Path(directory)
        self.keep = keep

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EngineCache | None:
        """The cache in the data folder, or None when ``CTO_BOT_CACHE`` turns it off."""
        from bot.infra.settings import Settings

        return cls(Settings.from_env(environ).data_dir / "cache") if cache_enabled(environ) else None

    def path(self, key: str) -> Path:
        return self.directory / f"{_PREFIX}{key}{_SUFFIX}"

    def load(self, key: str) -> Engine | None:
        """The engine cached under ``key``, or None when there is none or it cannot be read (then it is removed)."""
        path = self.path(key)
        try:
            engine = read_engine(path)
        except FileNotFoundError:
            return None
        except Exception as error:  # a corrupt, truncated, foreign or outdated file: rebuild, never crash
            log.warning("engine cache %s unreadable (%s: %s); rebuilding it", path, type(error).__name__, error)
            path.unlink(missing_ok=True)
            return None
        try:
            os.utime(path)  # most recently used: pruned last
        except OSError:
            pass
        return engine

    def save(self, key: str, engine: Engine) -> Path | None:
        """Write ``engine`` under ``key`` atomically; None (and a warning) when the folder is not writable."""
        try:
            self._make_folder()
            path = write_engine(engine, self.directory, self.path(key))
        except OSError as error:
            log.warning("engine cache not written in %s (%s); answering without it", self.directory, error)
            return None
        self.prune()
        return path

    def prune(self) -> None:
        """Remove all but the ``keep`` most recently used cache files, and temporary files left by dead writers."""
        try:
            entries = [(p, p.stat().st_mtime) for p in self.directory.iterdir() if p.name.startswith(_PREFIX)]
        except OSError:
            return
        done = sorted(((p, t) for p, t in entries if p.suffix == _SUFFIX), key=lambda e: e[1], reverse=True)
        stale = [p for p, t in entries if p.suffix != _SUFFIX and t < time.time() - STALE_TEMPORARY_SECONDS]
        for path in [p for p, _ in done[self.keep:]] + stale:
            path.unlink(missing_ok=True)

    @contextmanager
    def building(self, key: str, timeout: float = LOCK_SECONDS) -> Iterator[None]:
        """Hold the lock on building ``key`` (shared by every process using this folder) while in the block;
        after ``timeout`` seconds of waiting, or where locks are not available, go on without it."""
        try:
            import fcntl

            self._make_folder()
            handle = os.fdopen(os.open(self.directory / f"{_PREFIX}{key}.lock", os.O_RDWR | os.O_CREAT, 0o600), "r+")
        except (ImportError, OSError):
            yield
            return
        with handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        log.warning("another process has been building the engine for %.0f s; building it too",
                                    timeout)
                        break
                    time.sleep(0.05)
            yield

    def _make_folder(self) -> None:
        self.directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.mkdir(mode=0o700, exist_ok=True)


def read_engine(path: Path) -> Engine:
    """The engine cached at ``path``, only from a file of this user that no one else may write: its head (the
    knowledge, the map of which document holds which word) now, each document's matcher when a question first
    needs it (see ``LazyMatchers``), or now when there is only one."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    parts: _Parts | None = None
    try:
        status = os.fstat(descriptor)
        if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
            raise PermissionError(f"owned by uid {status.st_uid} with mode {status.st_mode & 0o777:o}; "
                                  "the cache only reads files of this user that others cannot write")
        parts = _Parts(descriptor, path)
        engine = parts.load(0)  # read by Python code: answers of other threads run meanwhile
        if not isinstance(engine, Engine):
            raise TypeError(f"holds a {type(engine).__name__}, not an engine")
    except BaseException:
        if parts is None:
            os.close(descriptor)
        else:
            parts.close()
        raise
    engine.matchers = LazyMatchers(len(parts.table) - 1, _DocumentLoader(parts, engine))
    if len(engine.matchers) == 1:  # every question needs it: read now (in a reload, before the engine serves)
        engine.matchers[0]
    return engine


_MAGIC = b"cto-bot engine\x00\x02"
"""A cache file: this magic, how many parts it holds, their table (the offset, length and CRC-32 of the head,
then of each document's matcher), then the parts: the head (the engine without its matchers), the matchers."""
_LENGTH = struct.Struct("<Q")
_ENTRY = struct.Struct("<QQQ")


class _Parts:
    """The parts of one open cache file, read at the offsets of its table; the file stays open (and readable
    after a newer version replaced it) for the life of the engine, which reads its documents on demand."""

    def __init__(self, descriptor: int, path: Path):
        self.descriptor = descriptor
        self.path = path
        head = os.read(descriptor, len(_MAGIC) + _LENGTH.size)
        if head[: len(_MAGIC)] != _MAGIC or len(head) != len(_MAGIC) + _LENGTH.size:
            raise ValueError("not a cache file of this version")
        (count,) = _LENGTH.unpack(head[len(_MAGIC):])
        if not 0 < count < 1 << 24:
            raise ValueError(f"its table of contents is damaged ({count} parts)")
        self.table: list[tuple[int, int, int]] = list(_ENTRY.iter_unpack(self.read(len(head), _ENTRY.size * count)))
        self._closer = weakref.finalize(self, os.close, descriptor)

    def read(self, offset: int, length: int) -> bytes:
        if hasattr(os, "pread"):
            data = os.pread(self.descriptor, length, offset)
        else:  # one reader at a time: the head is read before any document, documents under LazyMatchers' lock
            os.lseek(self.descriptor, offset, os.SEEK_SET)
            data = os.read(self.descriptor, length)
        if len(data) != length:
            raise EOFError(f"truncated: {len(data)} bytes of {length} at offset {offset}")
        return data

    def load(self, n: int) -> Any:
        """Unpickle part ``n`` (0: the head, then one per document), read in order and checked against its
        CRC-32 (never held whole in memory beside what it holds)."""
        reader = _PartReader(self, *self.table[n][:2])
        loaded = _unpickle(reader)
        if reader.crc != self.table[n][2] or reader.offset != reader.end:
            raise ValueError(f"part {n} is damaged (its checksum differs)")
        return loaded

    def is_current(self) -> bool:
        """True when ``path`` is still the file this reads (not replaced since)."""
        try:
            current, mine = os.stat(self.path), os.fstat(self.descriptor)
        except OSError:
            return False
        return (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)

    def close(self) -> None:
        self._closer()


class _PartReader:
    """Reads one part of a cache file, in order, keeping the running CRC-32 of what it read."""

    def __init__(self, parts: _Parts, offset: int, length: int):
        self.parts, self.offset, self.end = parts, offset, offset + length
        self.crc = 0

    def read(self, size: int = -1) -> bytes:
        size = self.end - self.offset if size < 0 else min(size, self.end - self.offset)
        data = self.parts.read(self.offset, size) if size > 0 else b""
        self.offset += len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer).cast("B")))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self) -> bytes:
        raise io.UnsupportedOperation("a cache part has no lines")


class _DocumentLoader:
    """Reads document ``d``'s matcher from the cache file when a question first needs it, and attaches it to
    the head's passages and thresholds. A part that cannot be read is logged and the document's matcher is
    built again from the knowledge (the file is removed, so that the next process rebuilds it whole).

    Holds the knowledge and thresholds, not the engine: no reference cycle keeps a replaced engine alive."""

    def __init__(self, parts: _Parts, engine: Engine):
        self.parts = parts
        self.knowledge = engine.knowledge
        self.thresholds = engine.thresholds
        self.documents: list[Knowledge] | None = None
        self.damaged = False
        """True once a part was found damaged: the next ones are logged at debug level only."""

    def __call__(self, d: int) -> Matcher:
        if self.documents is None:
            self.documents = _documents(self.knowledge)
        document = self.documents[d]
        try:
            matcher = self.parts.load(d + 1)
            if not isinstance(matcher, Matcher):
                raise TypeError(f"holds a {type(matcher).__name__}, not a matcher")
            matcher.t = self.thresholds
            matcher.index.passages, matcher.index.topics = document.passages, document.out_of_scope
            return matcher
        except Exception as error:  # damaged since the head was read: this document is built here
            log.log(logging.DEBUG if self.damaged else logging.WARNING,
                    "engine cache %s: document %d unreadable (%s: %s); rebuilding it", self.parts.path, d,
                    type(error).__name__, error)
            self.damaged = True
            if self.parts.is_current():
                self.parts.path.unlink(missing_ok=True)
            return Matcher(document, self.thresholds)


def _documents(knowledge: Knowledge) -> list[Knowledge]:
    """The knowledge of each matcher of an engine over ``knowledge``, in order (as ``Engine`` builds them)."""
    return knowledge.documents() or [knowledge]


def _unpickle(file: Any) -> Any:
    """``pickle.load`` with the cyclic garbage collector paused (see ``gc_paused``)."""
    with gc_paused():
        return pickle.load(file)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused, then freeze what it made out of its scans: an
    engine is millions of objects that live on and hold no reference cycles (it is freed by reference counts
    when replaced), so collecting while building or loading one would only scan them again and again (half of a
    cold build's time) and stall every thread."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if paused:
            gc.enable()


def fresh_engine(paths: list[Path]) -> Engine:
    """The engine over the knowledge at ``paths``, built (YAML parsed, indexes made) with the collector paused.

    Raises KnowledgeError when the knowledge is broken."""
    with gc_paused():
        return Engine(load_knowledge(paths))


def write_engine(engine: Engine, directory: Path, path: Path) -> Path:
    """Write ``engine`` to ``path`` through a 0600 temporary file in ``directory`` renamed into place: its head,
    then each document's matcher as a part of its own, so that a reader loads only the documents it needs."""
    parts = [_dumps(matcher) for matcher in engine.matchers]
    parts.insert(0, _dumps(engine))
    offset = len(_MAGIC) + _LENGTH.size + _ENTRY.size * len(parts)
    table = [_MAGIC, _LENGTH.pack(len(parts))]
    for part in parts:
        table.append(_ENTRY.pack(offset, len(part), zlib.crc32(part)))
        offset += len(part)
    descriptor, temporary = tempfile.mkstemp(prefix=_PREFIX, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.writelines([*table, *parts])
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _dumps(obj: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


# -- parts --------------------------------------------------------------------------------------------
# The head is the engine without its matchers; each matcher is pickled without what the head holds (the
# passages, topics and thresholds, attached again when it is read), its postings packed in arrays (they are the
# bulk of an engine: as dicts, every number would be an object of its own, and loading would take seconds).

def _reduce_engine(engine: Engine) -> tuple[Any, ...]:
    return _restore, (type(engine), dict(vars(engine), matchers=()))


def _reduce_matcher(matcher: Matcher) -> tuple[Any, ...]:
    return _restore, (type(matcher), dict(vars(matcher), t=None))


def _reduce_index(index: Index) -> tuple[Any, ...]:
    state = dict(vars(index), passages=(), topics=())
    state.pop("_lookups", None)  # the lookups an engine remembered while answering are not part of it
    postings = state.get("postings")
    if isinstance(postings, dict) and all(isinstance(by_stem, dict) for by_stem in postings.values()):
        packed = {side: PackedPostings.pack(by_stem) for side, by_stem in postings.items()}
        state["postings"] = {side: packed[side] or by_stem for side, by_stem in postings.items()}
    return _restore, (type(index), state)


def _restore(cls: type, state: dict[str, Any]) -> Any:
    restored: Any = object.__new__(cls)
    vars(restored).update(state)
    return restored


class _Pickler(pickle.Pickler):
    dispatch_table = {**copyreg.dispatch_table, Engine: _reduce_engine, Matcher: _reduce_matcher, Index: _reduce_index}


# -- building -----------------------------------------------------------------------------------------

def cached_engine(paths: list[Path], cache: EngineCache | None) -> Engine:
    """The engine over the knowledge at ``paths``: from ``cache`` when it holds it, else built (and cached).

    Raises KnowledgeError when the knowledge is broken.
    """
    if cache is None:
        return fresh_engine(paths)
    files = knowledge_files(paths)
    key = knowledge_key(files)
    engine = cache.load(key)
    if engine is None:
        with cache.building(key):  # workers starting together: one builds, the others then read its file
            engine = cache.load(key) or _build_and_save(paths, files, key, cache)
    return engine


def _build_and_save(paths: list[Path], files: list[Path], key: str, cache: EngineCache) -> Engine:
    started = time.perf_counter()
    engine = fresh_engine(paths)
    if knowledge_key(files) == key:  # not edited while it was being read
        saved = cache.save(key, engine)
        log.info("engine built over %d passages in %.2f s%s", len(engine.knowledge.passages),
                 time.perf_counter() - started, f"; cached in {saved}" if saved else "")
    return engine


class EngineBuilder:
    """How ``LiveEngine`` gets its engines: from the cache when it holds them; the first one built in this
    process (nothing is being served yet), later ones in a child process, which writes the pickle this
    process then loads, so that answers never wait for an index build holding the GIL."""

    def __init__(self, cache: EngineCache | None, *, isolate: bool = True):
        self.cache = cache
        self.isolate = isolate
        self.built = 0
        self.children = 0
        """How many engines were built in a child process."""
        self._previous: weakref.ref[Engine] | None = None

    def __call__(self, source: KnowledgeSource) -> Engine:
        paths = getattr(source, "paths", None)
        self.built += 1
        if paths is None:
            with gc_paused():
                return Engine(source.load())
        if self.built == 1 or not self.isolate:
            engine = cached_engine(paths, self.cache)
        else:
            self.children += 1
            engine = build_in_child(paths, self.cache)
        previous = self._previous() if self._previous is not None else None
        if previous is not None:
            read_documents_in_use(engine, previous)
        self._previous = weakref.ref(engine)  # not kept alive once it is replaced
        return engine


def read_documents_in_use(engine: Engine, previous: Engine) -> None:
    """Read now the documents of ``engine`` that ``previous`` (the engine it replaces) had read: in a reload, before
    the new engine serves, so that answers do not wait for them."""
    if not isinstance(engine.matchers, LazyMatchers):
        return
    if isinstance(previous.matchers, LazyMatchers):
        in_use = {_document_names(previous.knowledge)[d] for d in previous.matchers.loaded_documents()}
    else:
        in_use = set(_document_names(previous.knowledge))
    for d, name in enumerate(_document_names(engine.knowledge)):
        if name in in_use:
            engine.matchers[d]


def _document_names(knowledge: Knowledge) -> list[str]:
    """The name (knowledge file) of each matcher's document, in order."""
    return [document.sections[0].document if document.sections else
            document.out_of_scope[0].document if document.out_of_scope else "" for document in _documents(knowledge)]


def build_in_child(paths: list[Path], cache: EngineCache | None) -> Engine:
    """Build (or find in ``cache``) the engine over ``paths`` in a child process and load its pickle.

    Raises KnowledgeError with the child's problems; builds here when the child fails otherwise.
    """
    with tempfile.TemporaryDirectory(prefix="cto-bot-build-") as scratch:
        command = [sys.executable, "-m", "bot.infra.cache", "--scratch", scratch,
                   *(["--cache", str(cache.directory)] if cache else []), "--", *map(str, paths)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False,
                                  timeout=BUILD_SECONDS)
        except subprocess.TimeoutExpired:
            raise KnowledgeError([f"{', '.join(map(str, paths))}: building the engine took over {BUILD_SECONDS:.0f} s "
                                  "in a child process, which was stopped; edit the knowledge again to retry"]) from None
        reply = _last_json_line(done.stdout)
        if "problems" in reply:
            raise KnowledgeError(list(reply["problems"]))
        if done.returncode != 0 or "path" not in reply:
            log.warning("building the engine in a child process failed (exit %s: %s); building it here",
                        done.returncode, done.stderr.strip().splitlines()[-1:] or "no message")
            return cached_engine(paths, cache)
        try:
            return read_engine(Path(reply["path"]))
        except Exception as error:
            log.warning("the engine built in a child process is unreadable (%s); building it here", error)
            Path(reply["path"]).unlink(missing_ok=True)
            return cached_engine(paths, cache)


def _last_json_line(text: str) -> dict[str, Any]:
    lines = text.strip().splitlines()
    try:
        reply = json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}


def _child(argv: list[str]) -> int:
    """``python -m bot.infra.cache [--cache DIR] --scratch DIR -- PATH...``: build, print ``{"path": ...}``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.infra.cache")
    parser.add_argument("--cache", type=Path, help="the cache folder (none: the pickle goes to --scratch)")
    parser.add_argument("--scratch", type=Path, required=True, help="a private folder for an uncached pickle")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if hasattr(os, "nice"):
        os.nice(10)  # background work: the serving process's answers come first on a busy machine
    paths = list(args.paths)
    cache = EngineCache(args.cache) if args.cache else None
    engine: Engine | None = None
    try:
        files = knowledge_files(paths)
        key = knowledge_key(files)
        if cache is None:
            engine = fresh_engine(paths)
        else:
            with cache.building(key):  # several workers reloading the same edit: one builds it
                engine = None if cache.path(key).exists() else _build_and_save(paths, files, key, cache)
    except KnowledgeError as error:
        print(json.dumps({"problems": error.problems}))
        return 2
    if cache is not None and cache.path(key).exists():
        print(json.dumps({"path": str(cache.path(key))}))
    else:  # no cache, edited while it was read, or a cache folder that is not writable
        engine = engine or fresh_engine(paths)
        print(json.dumps({"path": str(write_engine(engine, args.scratch, args.scratch / "engine.pickle"))}))
    return 0


if __name__ == "__main__":  # run through the imported module, so that pickles name it, not ``__main__``
    from bot.infra import cache

    sys.exit(cache._child(sys.argv[1:]))
