"""Conversations survive a restart: the tracker store is a database (SQLite in the data folder)."""

from bot.tools.processes import stop
from tests.integration.conftest import start


def test_language_and_conversation_survive_a_restart(trained_model, tmp_path, content):
    first = start(trained_model, tmp_path)
    try:
        user = first.new_user()
        first.say(user, '/change_language{"language":"ro"}')
    finally:
        stop(first.processes)
    assert (tmp_path / "wegwijs.db").exists()

    second = start(trained_model, tmp_path)
    second.keys.update(first.keys)  # the page keeps its chat, the server its key (data folder)
    try:
        status, tracker, _ = second.api(f"/conversations/{user}/tracker")
        assert status == 200
        assert tracker["slots"]["language"] == "ro"
        reply = second.say(user, "ok")
        thanks_or_affirm = {
            content.catalogs["ro"].answers[a].text.splitlines()[0][:30]
            for a in ("affirm", "thanks", "fallback", "greet")
        }
        assert any(reply[0]["text"].startswith(t) for t in thanks_or_affirm)
    finally:
        stop(second.processes)
