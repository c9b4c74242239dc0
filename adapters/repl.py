"""The terminal adapter: a read-eval-print loop over the conversation, with injectable streams for tests.

Suggestions and next steps are numbered; typing a number picks one.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.core.answer import Answer, Outcome
from bot.service.conversation import Conversation, Reply, Where, notice_text
from bot.service.followups import Prompt

if TYPE_CHECKING:
    from bot.service.conversation import Assistant

PROMPT = "cto-bot> "
COMMANDS = {
    ":help": "show this help",
    ":topics": "list what the bot covers",
    ":debug": "show or hide the top candidates and their scores",
    ":good": "the last answer was helpful (👍)",
    ":bad": "the last answer was not helpful (👎)",
    ":quit": "leave (also :q, :exit, Ctrl-D)",
    "1, 2…": "pick a numbered suggestion or next step",
}
SOURCE_LABEL = {"fr": "source", "en": "source"}


def render(answer: Answer, *, debug: bool = False, prompts: tuple[Prompt, ...] = ()) -> str:
    """Plain text for the terminal: the reply, its suggestions and next steps numbered, then its source
    section and score."""
    lines = [answer.text]
    lines.extend(f"  {n}. {label}" for n, label in enumerate(choice_labels(answer, prompts), 1))
    if answer.outcome is Outcome.ANSWER:
        lines.append(f"  — {SOURCE_LABEL.get(answer.lang, 'source')} : {answer.section} "
                     f"(score {answer.score:.0f})")
    elif answer.outcome is not Outcome.SMALLTALK:
        lines.append(f"  — {answer.outcome.value} (score {answer.score:.0f})")
    if debug and answer.readings:
        lines.append("  read as: " + "; ".join(answer.readings))
    if debug and answer.candidates:
        lines.append("  candidates:")
        lines.extend(f"    {c.score:5.1f}  {c.passage_id}  ({c.section})" for c in answer.candidates)
    return "\n".join(lines)


def choice_labels(answer: Answer, prompts: tuple[Prompt, ...]) -> list[str]:
    """What the numbered choices under ``answer`` say: its suggestions, then its next steps."""
    return [s.question for s in answer.suggestions] + [p.label for p in prompts]


def _local_user() -> str:
    """Who votes in the terminal: the login name (stored only as a salted hash)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


class Repl:
    """Reads questions line by line and prints answers until ``:quit`` or end of input."""

    def __init__(self, assistant: Assistant | Conversation, *, stdin: TextIO | None = None,
                 stdout: TextIO | None = None, debug: bool = False, history: Path | None = None,
                 user: str | None = None):
        self.conversation = assistant if isinstance(assistant, Conversation) else Conversation(assistant)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.debug = debug
        self.history = history.expanduser() if history else None
        self.interactive = self.stdin is sys.stdin and sys.stdin.isatty()
        self.last: Answer | None = None
        self.choices: list[tuple[str, str, str]] = []
        """The numbered choices on screen: (``pick`` or ``follow``, passage id, language)."""
        self.user = user or _local_user()
        self.where = Where("repl", "terminal", user=self.user)

    def run(self) -> int:
        """Run the loop; return the exit status (0)."""
        read = self._readline_reader() if self.interactive else self._stream_reader()
        self.write(f"cto-bot — {self.conversation.help('fr').text}\nType :help for commands, :quit to leave.")
        try:
            while True:
                line = read()
                if line is None:
                    break
                if not self.handle(line):
                    break
        finally:
            self._save_history()
        return 0

    def handle(self, line: str) -> bool:
        """Answer one line; return False when the user asked to quit."""
        command = line.strip().lower()
        if command in (":quit", ":q", ":exit"):
            return False
        if command == ":help":
            self.write("\n".join(f"  {name:8} {text}" for name, text in COMMANDS.items())
                       + "\nAnything else is a question about the CTO career.")
        elif command == ":topics":
            self.write("\n".join(f"  - {topic}" for topic in self.conversation.topics("fr")))
        elif command == ":debug":
            self.debug = not self.debug
            self.write(f"debug {'on' if self.debug else 'off'}")
        elif command in (":good", ":bad"):
            self._vote(1 if command == ":good" else -1)
        elif command.startswith(":"):
            self.write(f"Unknown command {command!r}; type :help.")
        elif command.isdigit() and 1 <= int(command) <= len(self.choices):
            action, passage_id, lang = self.choices[int(command) - 1]
            pick = self.conversation.pick if action == "pick" else self.conversation.follow
            self._show(pick(passage_id, lang, self.where))
        elif command:
            self._show(self.conversation.ask(line, self.where))
        return True

    def _show(self, reply: Reply) -> None:
        if reply.notice is not None:
            self.write(notice_text(reply.notice))
            return
        if reply.answer is None:
            return
        answer = reply.answer
        self.last = answer if answer.matched else None
        self.choices = ([("pick", s.passage_id, answer.lang) for s in answer.suggestions]
                        + [("follow", p.passage_id, p.lang) for p in reply.prompts])
        self.write(render(answer, debug=self.debug, prompts=reply.prompts))

    def _vote(self, value: int) -> None:
        if self.last is None:
            self.write("No answer to vote on yet: ask a question first.")
            return
        if self.last.answer_id is None:
            self.write("Feedback is not recorded here (recording is off, or no store could be opened).")
            return
        self.conversation.vote(self.last.answer_id, self.last.passage_id or "", user_id=self.user, value=value,
                               platform="repl")
        self.write("Thanks, noted." if value > 0 else "Thanks, noted: the maintainers will review this answer.")

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _stream_reader(self) -> Callable[[], str | None]:
        def read() -> str | None:
            self.stdout.write(PROMPT)
            self.stdout.flush()
            line = self.stdin.readline()
            return line.rstrip("\r\n") if line else None

        return read

    def _readline_reader(self) -> Callable[[], str | None]:
        try:
            import readline

            if self.history and self.history.exists():
                readline.read_history_file(self.history)
        except (ImportError, OSError):
            pass

        def read() -> str | None:
            try:
                return input(PROMPT)
            except EOFError:
                self.stdout.write("\n")
                return None

        return read

    def _save_history(self) -> None:
        if not (self.interactive and self.history):
            return
        try:
            import readline

            readline.set_history_length(1000)
            readline.write_history_file(self.history)
        except (ImportError, OSError):
            pass
