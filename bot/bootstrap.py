"""The one place that builds the engine and what surrounds it from settings; every entry point and test
goes through it."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.engine import Engine
from bot.infra.cache import EngineBuilder, EngineCache, cached_engine
from bot.infra.loader import knowledge_paths

if TYPE_CHECKING:  # the learning loop is imported only by the commands that use it, to keep `ask` fast
    from bot.infra.settings import Settings
    from bot.infra.sqlstore import SqlStore
    from bot.service.assistant import Assistant
    from bot.service.context import ContextStore
    from bot.service.store import DeliveryClaims

log = logging.getLogger(__name__)

Knowledge = str | Path | list[str | Path] | None


def _paths(knowledge: Knowledge, environ: Mapping[str, str]) -> list[Path]:
    if isinstance(knowledge, list):
        return [Path(p) for p in knowledge]
    return knowledge_paths(str(knowledge) if knowledge else None, environ)


def _cache(environ: Mapping[str, str], cache: bool) -> EngineCache | None:
    return EngineCache.from_env(environ) if cache else None


def build_engine(knowledge: Knowledge = None, environ: Mapping[str, str] | None = None, *,
                 cache: bool = True) -> Engine:
    """An engine over the knowledge at ``knowledge``, else ``CTO_BOT_KNOWLEDGE``, else the installed folder;
    read from the engine cache in the data folder unless ``cache`` is False or ``CTO_BOT_CACHE=0``.

    Raises KnowledgeError (with ``file:line`` problems) when the knowledge is broken.
    """
    environ = os.environ if environ is None else environ
    return cached_engine(_paths(knowledge, environ), _cache(environ, cache))


def open_store(settings: Settings) -> SqlStore:
    """The SQL store named by the settings (SQLite file by default, mode 600), its folder created if needed
    (mode 700)."""
    from bot.infra.sqlstore import SqlStore  # SQLAlchemy is imported only when a store is opened

    if settings.database_url.startswith("sqlite:///"):
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return SqlStore(settings.database_url)


def open_delivery_claims(settings: Settings) -> DeliveryClaims | None:
    """Where the processes of one bot share the delivery ids they handled: the database when
    ``DATABASE_URL`` is set (several processes may serve one app), else None (each process remembers its own).
    """
    return open_store(settings) if settings.shared_database else None


def build_assistant(knowledge: Knowledge = None, environ: Mapping[str, str] | None = None, *,
                    store=None, cache: bool = True, settings: Settings | None = None) -> Assistant:
    """The engine with live reload, outcome recording and votes, as the REPL, Slack and Discord run it.

    ``settings`` are the ones the caller read from ``environ`` (read here when not given). ``store`` replaces
    the one the settings name (tests pass a MemoryStore). A store that cannot be opened is logged, and the bot
    answers without recording.
    """
    from bot.infra.files import YamlFiles
    from bot.infra.settings import Settings
    from bot.service.assistant import Assistant
    from bot.service.privacy import load_salt
    from bot.service.reload import LiveEngine
    from bot.service.store import BackgroundRecorder

    environ = os.environ if environ is None else environ
    settings = settings or Settings.from_env(environ)
    live = LiveEngine(YamlFiles(_paths(knowledge, environ)), check_every=settings.reload_seconds or float("inf"),
                      build=EngineBuilder(_cache(environ, cache)))
    recorder = None
    if settings.record or store is not None:
        try:
            recorder = BackgroundRecorder(store or open_store(settings), retention=settings.retention)
        except Exception as error:  # e.g. a URL naming a driver that is not installed
            reason = str(error).replace(settings.database_url, "DATABASE_URL").splitlines()[0] if str(error) else ""
            log.error("the store cannot be opened (%s: %s); check DATABASE_URL; answering without recording",
                      type(error).__name__, reason)
    salt = load_salt(settings.salt, settings.data_dir / "salt")
    return Assistant(live, recorder=recorder, salt=salt, contexts=open_contexts(settings, salt))


def open_contexts(settings: Settings, salt: bytes) -> ContextStore | None:
    """Where conversations keep their follow-up context: the database when ``DATABASE_URL`` is set (several
    processes may serve one workspace), else None (in memory). Nothing is connected until a context is needed;
    a URL that names a driver that is not installed is logged, and contexts stay in memory."""
    if not settings.shared_database:
        return None
    from bot.infra.sqlcontext import SqlContexts

    try:
        return SqlContexts(settings.database_url, salt=salt)
    except Exception as error:
        log.warning("conversation contexts cannot be shared through DATABASE_URL (%s); keeping them in memory",
                    type(error).__name__)
        return None


@contextmanager
def stopping_cleanly_on_sigterm() -> Iterator[None]:
    """Inside, SIGTERM stops the process like the end of its input (SystemExit 0), so that ``finally``
    blocks run and recorded questions are written. Only where SIGTERM would kill the process outright: a
    handler already in place (a gunicorn worker's graceful stop) is kept, and so is any outside the main
    thread."""
    def stop(signum: int, frame: object) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        signal.signal(signum, signal.SIG_DFL)  # a second SIGTERM stops at once
        raise SystemExit(0)

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def reload_on_sighup(assistant: Assistant) -> None:
    """Reload the knowledge when the process gets SIGHUP (main thread only; a no-op elsewhere)."""
    from bot.service.reload import LiveEngine

    source = assistant._source
    if isinstance(source, LiveEngine) and hasattr(signal, "SIGHUP"):
        try:
            signal.signal(signal.SIGHUP, lambda *_: source.reload_in_background())
        except ValueError:
            log.debug("not in the main thread: SIGHUP reload not installed")
