"""The ``cto-bot`` command line: argument parsing and wiring, nothing else.

``main()`` returns an exit status: 0 on success, 1 when a check or evaluation fails, 2 on a usage or
configuration error (a missing token, broken knowledge), always with a one-line message and no traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.entrypoints.logs import LEVELS, LogSettings, configure_logging
from bot.errors import ConfigurationError, CtoBotError, KnowledgeError

if TYPE_CHECKING:
    from bot.infra.settings import Settings
    from bot.service.assistant import Assistant

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _engine(args: argparse.Namespace, environ: Mapping[str, str]):
    from bot.bootstrap import build_engine

    return build_engine(args.knowledge, environ, cache=not args.no_cache)


def _settings(environ: Mapping[str, str]) -> Settings:
    """The store's, data folder's and reload's settings: read once by each command that needs them."""
    from bot.infra.settings import Settings

    return Settings.from_env(environ)


@contextmanager
def _serving(args: argparse.Namespace, environ: Mapping[str, str], settings: Settings) -> Iterator[Assistant]:
    """The engine with live reload and recording, for the long-running front ends; what is still queued for
    the store is written when they stop."""
    from bot.bootstrap import build_assistant, reload_on_sighup, stopping_cleanly_on_sigterm

    assistant = build_assistant(args.knowledge, environ, cache=not args.no_cache, settings=settings)
    reload_on_sighup(assistant)
    try:
        with stopping_cleanly_on_sigterm():  # the REPL's way out on SIGTERM; Slack and Discord set their own
            yield assistant
    finally:
        assistant.close()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8_streams(stdin: TextIO, stdout: TextIO, *, json_out: bool) -> None:
    """Read stdin as UTF-8, undecodable bytes replaced, one question per ``\\n``; write JSON as UTF-8."""
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(encoding="utf-8", errors="replace", newline="\n")
    if isinstance(stdout, io.TextIOWrapper):
        stdout.reconfigure(encoding="utf-8" if json_out else None, errors="replace")


def cmd_ask(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    engine = _engine(args, environ)
    _utf8_streams(stdin, stdout, json_out=args.json)
    questions: list[str] | TextIO = [" ".join(args.question)] if args.question else stdin
    for line in questions:
        answer = engine.ask(_SURROGATE.sub("\ufffd", line.rstrip("\r\n")))
        if args.json:
            stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        else:
            from adapters.repl import render

            stdout.write(render(answer) + "\n")
        stdout.flush()
    return EXIT_OK


def cmd_repl(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from adapters.repl import Repl

    history = None if args.no_history else Path(environ.get("CTO_BOT_HISTORY", "~/.cto_bot_history"))
    with _serving(args, environ, _settings(environ)) as assistant:
        return Repl(assistant, stdin=stdin, stdout=stdout, debug=args.debug, history=history).run()


def cmd_check(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.infra.loader import knowledge_paths, load_knowledge
    from bot.tools.check import overlaps, questions_hint

    paths = knowledge_paths(args.knowledge, environ)
    try:
        knowledge = load_knowledge(paths)
    except KnowledgeError as error:
        for problem in error.problems:
            stdout.write(f"error: {problem}\n")
        stdout.write(f"{len(error.problems)} error(s); fix them and run `cto-bot check` again\n")
        return EXIT_FAILED
    warnings = overlaps(knowledge)
    for warning in warnings:
        stdout.write(f"warning: {warning}\n")
    if hint := questions_hint(knowledge):
        stdout.write(f"hint: {hint}\n")
    stdout.write(f"ok: {len(knowledge.sections)} sections, {len(knowledge.passages)} passages in "
                 f"{len(knowledge.sources)} file(s); {len(warnings)} warning(s)\n")
    return EXIT_FAILED if warnings and args.strict else EXIT_OK


def cmd_import(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.tools.importer import format_of, read_source, skeleton, to_yaml

    data = skeleton(read_source(args.file), prefix=args.prefix, fmt=format_of(args.file, args.format),
                    lang=args.lang)
    if args.update:
        from bot.tools.reimport import update_file

        if args.output:
            raise ConfigurationError("--update rewrites its file in place: leave out -o")
        stdout.write(f"updated {args.update}\n" + update_file(Path(args.update), data).summary())
        return EXIT_OK
    text = to_yaml(data)
    if args.output:
        output = Path(args.output)
        if output.exists() and not args.force:
            raise ConfigurationError(f"{output} already exists: `--update {output}` re-imports the document "
                                     "keeping what was filled in by hand; --force overwrites it")
        output.write_text(text, encoding="utf-8")
        stdout.write(f"wrote {output} ({data['lang']}); it answers as it is: run `cto-bot check`, then add "
                     "translations, questions and keywords where answers need them\n")
    else:
        stdout.write(text)
    return EXIT_OK


def cmd_eval(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.tools.evaluate import (
        below_floor,
        default_questions_path,
        evaluate,
        load_cases,
        real_questions_path,
        report,
    )

    engine = _engine(args, environ)
    files = [Path(args.file)] if args.file else [default_questions_path(), real_questions_path()]
    status = EXIT_OK
    for file in files:
        result = evaluate(engine, *load_cases(file))
        stdout.write(f"== {file.name}\n" if len(files) > 1 else "")
        stdout.write(report(result, show_all_failures=True))
        failure = below_floor(result.accuracy, args.min_accuracy)
        if failure:
            stdout.write(failure + "\n")
            status = EXIT_FAILED
    return status


def cmd_bench(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.tools.bench import run_benchmarks

    run_benchmarks(_engine(args, environ), stdout, sizes=args.sizes, repeat=args.repeat, real=args.real,
                   progress=sys.stderr)
    return EXIT_OK


def cmd_slack(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from adapters.slack.run import SlackSettings, run
    from bot.bootstrap import open_delivery_claims

    slack = SlackSettings.from_environ(environ, http=args.http, port=args.port)  # before the engine is built
    settings = _settings(environ)
    return run(slack, lambda: _serving(args, environ, settings), claims=lambda: open_delivery_claims(settings))


def cmd_discord(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from adapters.discord.run import DiscordSettings, run

    if args.invite_url:
        from adapters.discord.run import invite_url

        stdout.write(invite_url(environ) + "\n")
        return EXIT_OK
    discord = DiscordSettings.from_environ(environ)  # the token is checked before the engine is built
    settings = _settings(environ)
    return run(discord, lambda: _serving(args, environ, settings))


@contextmanager
def _reaching_the_store(url: str) -> Iterator[None]:
    """Turn a store that cannot be reached (down, wrong URL, missing driver) into a one-line message."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.service.store import StoreUnavailable

    try:
        yield
    except (SQLAlchemyError, ImportError, StoreUnavailable) as error:
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except Exception:
            shown = "DATABASE_URL"
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise ConfigurationError(f"cannot reach the store at {shown}: {reason}; check DATABASE_URL and that the "
                                 "database is up") from None


def _confirm_purge(args, stdin: TextIO, stdout: TextIO) -> bool:
    """``--yes``, or a yes typed on the terminal; refused when nobody can be asked."""
    if args.yes:
        return True
    if not stdin.isatty():
        raise ConfigurationError("--purge deletes every recorded question and vote; add --yes to confirm "
                                 "(stdin is not a terminal)")
    stdout.write("Delete every recorded question and vote? This cannot be undone. [y/N] ")
    stdout.flush()
    return stdin.readline().strip().lower() in ("y", "yes", "o", "oui")


def cmd_report(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.bootstrap import open_store
    from bot.tools.report import RENDERERS, build_report

    settings = _settings(environ)
    if args.purge:
        if not _confirm_purge(args, stdin, stdout):
            stdout.write("nothing deleted\n")
            return EXIT_OK
        with _reaching_the_store(settings.database_url):
            deleted = open_store(settings).purge()
        stdout.write(f"deleted {deleted} rows: every recorded question and vote\n")
        return EXIT_OK
    interactions, votes, rejections = _recorded(args, settings)
    report = build_report(_engine(args, environ), interactions, votes, args.since, rejections)
    stdout.write(RENDERERS[args.format](report))
    return EXIT_OK


def _recorded(args, settings):
    """The interactions and votes recorded over ``--since``, and the rejected questions, from the store."""
    from bot.bootstrap import open_store
    from bot.service.store import now
    from bot.tools.proposals import rejections_in
    from bot.tools.report import since_moment

    try:
        since = since_moment(now(), args.since)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    with _reaching_the_store(settings.database_url):
        store = open_store(settings)
        return store.interactions_since(since), store.votes_since(since), rejections_in(store)


def _proposal(args, environ, settings: Settings, number: int):
    """Proposal ``number`` of ``cto-bot report`` over the same period."""
    from bot.tools.proposals import build_proposals

    interactions, _, rejections = _recorded(args, settings)
    proposals = {p.number: p for p in build_proposals(_engine(args, environ), interactions, rejections)}
    if number not in proposals:
        raise ConfigurationError(f"no proposal {number} (accepted or rejected already?): `cto-bot report --since "
                                 f"{args.since}` lists {', '.join(map(str, proposals)) or 'none'}")
    return proposals[number]


def cmd_learn(args, environ, stdin: TextIO, stdout: TextIO) -> int:
    from bot.infra.loader import knowledge_paths
    from bot.tools.learn import LearnRefused, learn

    if args.reject is not None:
        return _reject(args, environ, _settings(environ), stdout)
    if args.accept is not None:
        if args.passage_id or args.question:
            raise ConfigurationError("--accept N takes the passage and question from proposal N: give no others")
        proposal = _proposal(args, environ, _settings(environ), args.accept)
        passage_id, question, lang = proposal.passage_id, proposal.question, args.lang or proposal.lang
    elif args.passage_id and args.question:
        passage_id, question, lang = args.passage_id, args.question, args.lang
    else:
        raise ConfigurationError('say what to learn: cto-bot learn PASSAGE_ID "QUESTION", or --accept N, or '
                                 "--reject N|QUESTION (N: a proposal number from `cto-bot report`)")
    try:
        learned = learn(knowledge_paths(args.knowledge, environ), passage_id, question, lang)
    except LearnRefused as error:
        stdout.write(f"refused: {error}\n")
        return EXIT_FAILED
    if not learned.written:
        stdout.write(f"passage {passage_id!r} already has the question {learned.question!r}; nothing changed\n")
    else:
        stdout.write(f"learned: {learned.question!r} ({learned.lang}) is an alternate question of passage "
                     f"{passage_id!r} in {learned.path}; the running bots reload it by themselves\n")
    return EXIT_OK


def _reject(args, environ, settings: Settings, stdout: TextIO) -> int:
    from bot.bootstrap import open_store
    from bot.tools.proposals import rejection

    passage_id, question, lang = None, args.reject.strip(), args.lang or ""
    if question.isdigit():
        proposal = _proposal(args, environ, settings, int(question))
        passage_id, question, lang = proposal.passage_id, proposal.question, proposal.lang
    if not question:
        raise ConfigurationError("--reject needs a proposal number or a question")
    with _reaching_the_store(settings.database_url):
        open_store(settings).record(rejection(question, passage_id, lang))
    stdout.write(f"rejected: {question!r} will not be proposed again (nor questions with the same words)\n")
    return EXIT_OK


Command = Callable[[argparse.Namespace, Mapping[str, str], TextIO, TextIO], int]


def package_version() -> str:
    """The installed distribution's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cto-bot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _at_least_one(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def _accuracy_floor(value: str) -> float:
    """An argparse type: ``--min-accuracy`` as a fraction (0..1) or a percentage (1..100)."""
    from bot.tools.evaluate import parse_floor

    try:
        return parse_floor(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cto-bot", description="Answers questions about the CTO career, from a French article.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    log_help = f"log level: {', '.join(LEVELS)} (default: $CTO_BOT_LOG_LEVEL, else info for the bots, warning " \
               "for the other commands)"
    parser.add_argument("--log-level", type=str.lower, choices=LEVELS, metavar="LEVEL", help=log_help)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--knowledge", metavar="PATH",
                        help="a knowledge YAML file or folder (default: $CTO_BOT_KNOWLEDGE, else the installed one)")
    common.add_argument("--no-cache", action="store_true", help="build the engine, skip its cache (as CTO_BOT_CACHE=0)")
    common.add_argument("--log-level", type=str.lower, choices=LEVELS, metavar="LEVEL", default=argparse.SUPPRESS,
                        help=log_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func, default_log_level="warning")
        return p

    p = add("repl", cmd_repl, "chat with the bot in the terminal")
    p.add_argument("--debug", action="store_true", help="show the top candidates and their scores")
    p.add_argument("--no-history", action="store_true", help="do not read or write the readline history file")

    p = add("ask", cmd_ask, "answer one question, or one per line from stdin")
    p.add_argument("question", nargs="*", help="the question; without it, read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line for stdin)")

    p = add("check", cmd_check, "validate the knowledge files and warn about overlapping entries")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")

    p = add("import", cmd_import, "turn a plain-text, Markdown or HTML document into a knowledge YAML file")
    p.add_argument("file", help="the document to import (.md/.markdown: Markdown, .html/.htm: HTML, else text)")
    p.add_argument("-o", "--output", help="write the YAML there instead of stdout (an existing file needs --force)")
    p.add_argument("--prefix", default="", help="prefix for the generated ids, to keep them unique across files")
    p.add_argument("--format", choices=["text", "markdown", "html"], help="the document's format (default: "
                   "from its extension)")
    p.add_argument("--lang", choices=["fr", "en"], help="the document's language (default: detected)")
    p.add_argument("--force", action="store_true", help="let -o overwrite an existing file")
    p.add_argument("--update", metavar="FILE", help="re-import into this knowledge file, keeping hand-filled "
                   "fields of unchanged passages and marking changed ones for review")

    p = add("eval", cmd_eval, "run a question set and print accuracy, failures and latency")
    p.add_argument("file", nargs="?", help="a question file (default: the project's own set, then the real "
                   "questions collected from public pages)")
    p.add_argument("--min-accuracy", type=_accuracy_floor, default=0.0, metavar="X",
                   help="exit 1 when the overall accuracy is below X: a fraction (0.8) or a percentage (80)")

    p = add("bench", cmd_bench, "print the engine's latency and the cost of one `ask` process")
    p.add_argument("--sizes", type=_at_least_one, nargs="*", default=None,
                   help="synthetic knowledge sizes in passages (default: 500 2000)")
    p.add_argument("--real", action="append", default=[], metavar="DIR", help="also bench this knowledge folder")
    p.add_argument("--repeat", type=_at_least_one, default=3, help="passes over the questions per measurement")

    p = add("report", cmd_report, "what users asked that the bot could not answer, and the answers they disliked")
    p.add_argument("--since", default="7d", help="the period to report on: 30m, 12h, 7d, 2w (default: 7d)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format")
    p.add_argument("--purge", action="store_true", help="delete every recorded question and vote, then exit")
    p.add_argument("--yes", action="store_true", help="with --purge: do not ask for confirmation (for scripts)")

    p = add("learn", cmd_learn, "add an alternate question to a passage (a proposal of `cto-bot report`, or "
            "your own), or reject a proposal")
    p.add_argument("passage_id", nargs="?", help="the passage that answers the question")
    p.add_argument("question", nargs="?", help="the question, as people ask it")
    p.add_argument("--lang", choices=["fr", "en"], help="the question's language (default: detected)")
    p.add_argument("--accept", type=int, metavar="N", help="learn proposal N of `cto-bot report`")
    p.add_argument("--reject", metavar="N|QUESTION", help="never propose this question (or proposal N) again")
    p.add_argument("--since", default="7d", help="with a proposal number: the period `cto-bot report` covered "
                   "(default: 7d)")

    p = add("slack", cmd_slack, "run the Slack bot (Socket Mode, or --http for the Events API)")
    p.add_argument("--http", action="store_true", help="serve the Events API over HTTP on $PORT instead")
    p.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT, else 3000)")
    p.set_defaults(default_log_level="info")

    p = add("discord", cmd_discord, "run the Discord bot")
    p.add_argument("--invite-url", action="store_true", help="print the URL that adds the bot to a server")
    p.set_defaults(default_log_level="info")
    return parser


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None,
         stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``cto-bot`` with ``argv``; return the exit status."""
    environ = os.environ if environ is None else environ
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        configure_logging(LogSettings.from_env(args.log_level, environ, default_level=args.default_log_level), stderr)
        return args.func(args, environ, stdin, stdout)
    except KnowledgeError as error:
        stderr.write("cto-bot: the knowledge is broken:\n" + "".join(f"  {p}\n" for p in error.problems))
        stderr.write("Run `cto-bot check` for details.\n")
        return EXIT_USAGE
    except CtoBotError as error:
        stderr.write(f"cto-bot: {error}\n")
        return EXIT_USAGE
    except OSError as error:
        stderr.write(f"cto-bot: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
