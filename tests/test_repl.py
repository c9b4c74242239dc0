"""The terminal REPL, driven through its streams."""

from __future__ import annotations

import io

from adapters.repl import Repl
from bot.service.assistant import Assistant


def chat(engine, *lines: str, debug: bool = False) -> str:
    out = io.StringIO()
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    status = Repl(Assistant(engine), stdin=stdin, stdout=out, debug=debug).run()
    assert status == 0
    return out.getvalue()


def test_answers_a_question_with_its_source_section_and_score(engine):
    transcript = chat(engine, "Quelles compétences pour être CTO ?")
    assert "Le CTO doit avoir une solide expertise technique" in transcript
    assert "source : Les compétences pour être un CTO performant (score" in transcript


def test_help_lists_the_commands(engine):
    transcript = chat(engine, ":help")
    for command in (":help", ":topics", ":quit", ":debug"):
        assert command in transcript


def test_topics_lists_what_the_bot_covers(engine):
    transcript = chat(engine, ":topics")
    assert all(topic in transcript for topic in engine.topics("fr"))


def test_quit_stops_before_the_next_line(engine):
    transcript = chat(engine, ":quit", "Comment devenir CTO ?")
    assert "formation" not in transcript


def test_end_of_input_ends_the_session_cleanly(engine):
    assert chat(engine).count("cto-bot> ") == 1


def test_debug_shows_the_top_candidates(engine):
    transcript = chat(engine, "budget", debug=True)
    assert "candidates:" in transcript and "missions-budget" in transcript


def test_debug_can_be_switched_on_during_a_session(engine):
    transcript = chat(engine, ":debug", "budget")
    assert "debug on" in transcript and "candidates:" in transcript


def test_unknown_commands_and_blank_lines_do_not_break_the_loop(engine):
    transcript = chat(engine, ":nope", "", "   ", "devenir cto")
    assert "Unknown command ':nope'" in transcript
    assert "Comment devenir CTO ?" in transcript


def test_a_question_the_bot_cannot_answer_is_declined_in_the_session(engine):
    transcript = chat(engine, "What is the weather in Lyon?")
    assert "do not cover" in transcript and "decline" in transcript
