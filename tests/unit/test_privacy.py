"""Personal data: "delete my data" leaves nothing, old conversations are purged, the notice
exists in every language. Against SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import storage
from bot.adapters.tracker_store import ErasableTrackerStore
from bot.channels.webchat import privacy_section
from bot.channels.whatsapp import ServiceWindow
from bot.content.loader import load_content
from bot.desk.config import read_desk
from bot.privacy.erasure import ERASE_SLOT, SECONDS_PER_DAY, main, purge
from bot.wiring import answer_ids_required
from tests.conftest import LANGUAGES, ROOT

DAY = SECONDS_PER_DAY


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(database_url, domain, monkeypatch) -> ErasableTrackerStore:
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", database_url)
    return ErasableTrackerStore(domain=domain)


def conversation(domain: Domain, sender: str, at: float, text: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=at),
            UserUttered(text, {"name": "bsn", "confidence": 0.9}, timestamp=at),
            BotUttered("Numer BSN dostaniesz w gminie.", timestamp=at),
        ],
        slots=domain.slots,
    )


def rows_of(url: str, sender: str) -> int:
    with storage.engine(url).connect() as db:
        query = sa.select(sa.func.count()).select_from(storage.EVENTS)
        return int(db.execute(query.where(storage.EVENTS.c.sender_id == sender)).scalar_one())


async def test_a_confirmed_request_deletes_the_conversation_and_its_phone_number(
    store, domain, database_url
):
    now = time.time()
    phone, other = "48600100200", "tg-12345"
    window = ServiceWindow(storage.engine(database_url))
    for sender in (phone, other):
        await store.save(conversation(domain, sender, now, "gdzie dostane bsn"))
        window.user_wrote(sender, now)

    tracker = await store.retrieve(phone)
    assert tracker is not None and rows_of(database_url, phone) > 0
    tracker.update(UserUttered("/affirm", {"name": "affirm", "confidence": 1.0}))
    tracker.update(BotUttered("Gotowe: Twoja rozmowa została usunięta."))
    tracker.update(SlotSet(ERASE_SLOT, True))
    await store.save(tracker)

    assert await store.retrieve(phone) is None
    assert rows_of(database_url, phone) == 0
    assert phone not in set(await store.keys())
    assert not window.is_open(phone)  # the phone number's row is gone too
    assert await store.retrieve(other) is not None  # nobody else's conversation
    assert window.is_open(other)


async def test_a_conversation_is_saved_as_usual_without_the_request(store, domain, database_url):
    tracker = conversation(domain, "web-abcdefgh", time.time(), "hello")
    tracker.update(SlotSet(ERASE_SLOT, False))
    await store.save(tracker)
    assert rows_of(database_url, "web-abcdefgh") == 4


async def test_the_purge_deletes_conversations_silent_longer_than_the_retention(
    store, domain, database_url
):
    now = 1_800_000_000.0  # a fake clock: the purge is told the time
    await store.save(conversation(domain, "old", now - 31 * DAY, "stare pytanie"))
    await store.save(conversation(domain, "recent", now - 29 * DAY, "nowsze pytanie"))
    active = conversation(domain, "active", now - 60 * DAY, "dawno temu")
    active.update(UserUttered("znowu ja", timestamp=now - 1 * DAY))
    await store.save(active)  # an old start, but a recent message: kept whole
    window = ServiceWindow(storage.engine(database_url))
    window.user_wrote("old", now - 31 * DAY)

    purged = purge(storage.engine(database_url), now, keep_days=30)

    assert purged.conversations == 1
    assert rows_of(database_url, "old") == 0
    assert rows_of(database_url, "recent") == 3
    assert rows_of(database_url, "active") == 4
    assert purge(storage.engine(database_url), now, keep_days=30).conversations == 0
    assert purge(storage.engine(database_url), now, keep_days=10).conversations == 1
    assert rows_of(database_url, "recent") == 0
    assert rows_of(database_url, "active") == 4


def test_the_purge_command_uses_the_retention_setting(database_url, monkeypatch):
    engine = storage.engine(database_url)
    with engine.begin() as db:  # the table as Rasa's tracker store creates it
        db.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        for i, (sender, age) in enumerate((("a", 40), ("b", 20), ("c", 5))):
            db.execute(
                sa.text("INSERT INTO events VALUES (:i, :s, 'user', :t, NULL, NULL, '{}')"),
                {"i": i + 1, "s": sender, "t": time.time() - age * DAY},
            )
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", database_url)
    monkeypatch.setenv("WEGWIJS_KEEP_CONVERSATIONS_DAYS", "30")
    assert main([]) == 0
    assert [rows_of(database_url, s) for s in "abc"] == [0, 1, 1]
    assert main(["--days", "10"]) == 0
    assert [rows_of(database_url, s) for s in "abc"] == [0, 0, 1]


def test_the_purge_runs_before_any_conversation_exists(database_url):
    assert purge(storage.engine(database_url), time.time(), 30).conversations == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_notice_has_a_section_in_every_language(language):
    section = privacy_section(language)
    assert section is not None
    assert "30" in section and "/forget" in section
    assert section.startswith("## ")


def test_the_notice_line_tells_the_phrase_the_page_tells(content):
    for language in LANGUAGES:
        notice = content.catalogs[language].ui["privacy_notice"]
        phrase = notice.split("{")[0]
        for mark in "„”“":  # Polish „…”, Bulgarian „…“, straight quotes elsewhere
            phrase = phrase.replace(mark, '"')
        quoted = phrase.split('"')[1]
        assert quoted.lower() in (privacy_section(language) or "").lower(), language


def test_a_notice_line_without_its_link_is_refused_with_file_and_line(project):
    ui = project / "locales" / "ro" / "ui.yml"
    text = ui.read_text(encoding="utf-8")
    ui.write_text(text.replace("{privacy_url}", "https://example.org"), encoding="utf-8")
    result = load_content(project, answer_ids_required(project), read_desk=read_desk)
    assert result.content is None
    [problem] = [p for p in result.errors if "privacy_notice" in p.message]
    assert problem.file.endswith("locales/ro/ui.yml")
    assert text.splitlines()[problem.line - 1].lstrip().startswith("privacy_notice:")


async def test_deleting_a_conversation_leaves_only_anonymous_statistics_of_its_cases(
    store, domain, database_url
):
    from bot.desk.store import CaseStore, NewCase

    cases = CaseStore(storage.engine(database_url))
    phone = "48600100200"
    case = cases.open_case(
        NewCase(
            phone,
            "whatsapp",
            "pl",
            "urgent",
            "Szef zabrał mi paszport",
            "phone",
            "+48600100200",
            ["report_abuse"],
        )
    )
    cases.add_message(case.id, "anna", "message", "Zadzwonię jutro", "sent")
    cases.add_message(case.id, "anna", "note", "Jan Kowalski, agencja X")
    tracker = conversation(domain, phone, time.time(), "szef zabral mi paszport")
    tracker.update(SlotSet(ERASE_SLOT, True))
    await store.save(tracker)

    kept = cases.get(case.id)
    assert (kept.conversation_id, kept.description, kept.phone) == (None, None, None)
    assert (kept.language, kept.reason, kept.topics) == ("pl", "urgent", ("report_abuse",))
    assert kept.status == "closed" and kept.outcome == "erased"
    assert cases.messages(case.id) == []


async def test_the_purge_anonymises_old_closed_cases_and_keeps_open_ones(
    store, domain, database_url
):
    from bot.desk.store import CaseStore, NewCase

    now = [1_800_000_000.0]
    cases = CaseStore(storage.engine(database_url), clock=lambda: now[0])
    old = cases.open_case(NewCase("web-old-case-1", "webchat", "ro", "request", "old story"))
    cases.close(old.id, "anna", "answered")
    waiting = cases.open_case(NewCase("web-waiting-1", "webchat", "bg", "request", "still open"))
    await store.save(conversation(domain, "web-waiting-1", now[0], "ima li nyakoy"))
    now[0] += 91 * DAY
    recent = cases.open_case(NewCase("web-recent-1", "webchat", "nl", "request", "new story"))
    cases.close(recent.id, "anna", "referred")

    purged = purge(storage.engine(database_url), now[0], keep_days=30, keep_case_days=90)

    assert purged.cases == 1
    assert cases.get(old.id).description is None and cases.get(old.id).outcome == "answered"
    assert cases.get(recent.id).description == "new story"
    assert cases.get(waiting.id).description == "still open"
    assert rows_of(database_url, "web-waiting-1") == 3  # silent for 91 days, but its case is open
