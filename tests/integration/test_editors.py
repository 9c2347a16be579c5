"""What editors learn, end to end in the web chat: 👍/👎 under an answer, what the user looked
for after a 👎 (masked), not-understood messages, the report, and erasure on request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bot import storage
from bot.editors.store import EditorStore
from tests.conftest import ROOT
from tests.integration.replies import reply_answer


def _store(assistant) -> EditorStore:
    return EditorStore(storage.engine(assistant.settings.database_url))


def _figures(assistant) -> dict[tuple[str, str, str], int]:
    return {(c.figure, c.key, c.language): c.count for c in _store(assistant).counts("2000-01-01")}


def _wait_for(condition, seconds: float = 10.0):
    """The figures are written off the event loop, just after the reply."""
    deadline = time.monotonic() + seconds
    while not (found := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_a_thumbs_down_in_the_web_chat_asks_what_was_missing_and_keeps_it_masked(
    assistant, content
):
    user = assistant.new_user()
    [answer] = assistant.say(user, "skąd mam wziąć numer bsn", hint="pl-PL")[:1]
    assert reply_answer(content, "pl", answer["text"]) == "bsn"
    buttons = {b["title"]: b["payload"] for b in answer["buttons"]}
    assert buttons["👎"] == '/deny{"feedback":"bsn"}'

    [sorry] = assistant.say(user, buttons["👎"])
    assert reply_answer(content, "pl", sorry["text"]) == "feedback_sorry"
    assert [b["payload"] for b in sorry["buttons"]] == ["/request_human"]

    looked_for = "chcę wymienić prawo jazdy, mój numer 0612345678"
    assistant.say(user, looked_for)
    kept = _wait_for(lambda: [m for m in _store(assistant).unanswered(0) if m.answer_id == "bsn"])
    assert [(m.kind, m.text) for m in kept] == [
        ("not_helpful", "chcę wymienić prawo jazdy, mój numer [phone]")
    ]
    counted = (("given", "bsn", "pl"), ("not_helpful", "bsn", "pl"))
    figures = _wait_for(
        lambda: all(key in _figures(assistant) for key in counted) and _figures(assistant)
    )
    assert all(figures[key] >= 1 for key in counted)  # written within a second
    assert "0612345678" not in assistant.logs()

    # deleting one's data deletes the kept text too; the counts stay
    assistant.say(user, "usuń moje dane")
    assistant.say(user, "/affirm")
    assert _wait_for(lambda: not any(m.answer_id == "bsn" for m in _store(assistant).unanswered(0)))
    assert _figures(assistant)[("not_helpful", "bsn", "pl")] >= 1


def test_not_understood_messages_reach_the_report(assistant, tmp_path):
    user = assistant.new_user()
    assistant.say(user, "bună ziua", hint="ro-RO")
    asked = "qwertz asdfgh zxcvbn"  # nothing the assistant knows
    [reply] = assistant.say(user, asked)[:1]
    assert reply["text"]
    assert _wait_for(lambda: any(m.text == asked for m in _store(assistant).unanswered(0)))
    chart = tmp_path / "chart.png"
    printed = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json", "--chart", str(chart)],
        cwd=ROOT,
        env={**os.environ, "WEGWIJS_DATABASE_URL": assistant.settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(printed.stdout)
    [group] = [g for g in report["not_understood"] if asked in g["examples"]]
    assert group["languages"] == ["ro"] and group["count"] >= 1
    assert {"id", "language", "given", "helpful", "not_helpful"} <= set(report["answers"][0])
    assert chart.stat().st_size > 1000
