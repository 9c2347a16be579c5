"""Editors' changes reach the running assistant within seconds, and bad edits never do."""

import logging
from pathlib import Path

import pytest

from bot.content.store import ContentError, ContentStore
from bot.desk.config import read_desk
from bot.wiring import answer_ids_required

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def store_of(project: Path, clock: FakeClock) -> ContentStore:
    required = answer_ids_required(project)
    return ContentStore(project, required, interval=2.0, clock=clock, read_desk=read_desk)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_valid_edit_is_served_after_the_interval(project):
    clock = FakeClock()
    store = store_of(project, clock)
    before = store.get().catalogs["en"].answers["goodbye"].text
    edit(
        project / "locales" / "en" / "conversation.yml",
        before.splitlines()[0],
        "Goodbye, edited by an editor.",
    )
    clock.now += 0.5
    assert store.get().catalogs["en"].answers["goodbye"].text == before  # not yet checked
    clock.now += 2.0
    assert (
        store.get()
        .catalogs["en"]
        .answers["goodbye"]
        .text.startswith("Goodbye, edited by an editor.")
    )


def test_an_invalid_edit_is_logged_with_file_and_line_and_the_old_content_stays(project, caplog):
    clock = FakeClock()
    store = store_of(project, clock)
    good = store.get()
    path = project / "locales" / "pl" / "conversation.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  thanks: [oops\n", encoding="utf-8")
    clock.now += 3
    with caplog.at_level(logging.ERROR, logger="bot.content.store"):
        served = store.get()
    assert served is good
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "locales/pl/conversation.yml:" in messages
    assert "last good version" in messages
    # the error is reported once, not on every message
    caplog.clear()
    clock.now += 3
    with caplog.at_level(logging.ERROR, logger="bot.content.store"):
        assert store.get() is good
    assert caplog.records == []


def test_a_fixed_file_is_picked_up_again(project):
    clock = FakeClock()
    store = store_of(project, clock)
    good = store.get()
    path = project / "locales" / "nl" / "conversation.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n  thanks: [oops\n", encoding="utf-8")
    clock.now += 3
    assert store.get() is good
    path.write_text(original.replace("answers:", "answers:\n  # fixed", 1), encoding="utf-8")
    clock.now += 3
    fixed = store.get()
    assert fixed is not good
    assert fixed.catalogs["nl"].answers["thanks"].language == "nl"


def test_starting_with_broken_content_fails_loudly(project):
    (project / "desk.yml").write_text("name: [", encoding="utf-8")
    store = ContentStore(project, answer_ids_required(project), read_desk=read_desk)
    with pytest.raises(ContentError, match=r"desk.yml:1"):
        store.get()


def test_an_edit_of_desk_yml_is_served_too(project):
    clock = FakeClock()
    store = store_of(project, clock)
    assert store.get().desk.first_response_minutes == 60
    edit(project / "desk.yml", "first_response_minutes: 60", "first_response_minutes: 45")
    clock.now += 3
    assert store.get().desk.first_response_minutes == 45


def test_load_checks_the_files_now_without_changing_what_is_served(project):
    clock = FakeClock()
    store = store_of(project, clock)
    good = store.get()
    edit(project / "desk.yml", 'monday: "09:00-17:00"', 'monday: "9-5"')
    result = store.load()
    assert result.content is None
    [problem] = result.errors
    assert problem.file == "desk.yml" and "time span" in problem.message
    edit(project / "desk.yml", 'monday: "9-5"', 'monday: "10:00-17:00"')
    assert store.load().content is not None
    assert store.get() is good  # load() swapped nothing; the store looks again after 2 s
