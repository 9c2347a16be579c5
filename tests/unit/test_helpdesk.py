"""The desk: the handoff form's steps, opening hours, cases (SQLite and PostgreSQL), staff."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot import storage
from bot.content.loader import load_content
from bot.desk import handoff
from bot.desk.config import read_desk
from bot.desk.hours import DESK_ZONE, parse_hours
from bot.desk.staff import StaffStore
from bot.desk.store import CaseError, CaseStore, NewCase
from bot.wiring import answer_ids_required


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("+48 600 100 200", "+48600100200"),
        ("0048-600-100-200", "+48600100200"),
        ("06 12345678", "+31612345678"),
        ("(+40) 712 345 678", "+40712345678"),
        ("359888123456", "+359888123456"),
        ("12345", None),
        ("call me", None),
        ("+48 600 100 200 300 400 500", None),
    ],
)
def test_phone_numbers_are_validated_and_written_internationally(text, phone):
    assert handoff.normalize_phone(text) == phone


@pytest.mark.parametrize(
    ("requested", "intent", "text", "slots", "ask"),
    [
        (None, "request_human", "I want a person", dict.fromkeys(handoff.SLOTS), handoff.CONSENT),
        (handoff.CONSENT, "affirm", "/affirm", {handoff.CONSENT: True}, handoff.DESCRIPTION),
        (handoff.CONSENT, "deny", "nie", {handoff.CONSENT: False}, None),
        (handoff.CONSENT, "bsn", "where bsn?", {handoff.CONSENT: None}, handoff.CONSENT),
        (
            handoff.DESCRIPTION,
            "wage_problem",
            "Szef nie płaci od 3 tygodni",
            {handoff.DESCRIPTION: "Szef nie płaci od 3 tygodni"},
            handoff.CONTACT,
        ),
        (
            handoff.DESCRIPTION,
            "affirm",
            "/affirm",
            {handoff.DESCRIPTION: None},
            handoff.DESCRIPTION,
        ),
        (handoff.CONTACT, None, "chat", {handoff.CONTACT: "chat"}, None),
        (handoff.CONTACT, None, "phone", {handoff.CONTACT: "phone"}, handoff.PHONE),
        (
            handoff.CONTACT,
            None,
            "+40 712 345 678",
            {handoff.CONTACT: "phone", handoff.PHONE: "+40712345678"},
            None,
        ),
        (handoff.CONTACT, None, "maybe", {handoff.CONTACT: None}, handoff.CONTACT),
        (handoff.PHONE, None, "0612345678", {handoff.PHONE: "+31612345678"}, None),
    ],
)
def test_each_answer_fills_the_form_or_asks_again(requested, intent, text, slots, ask):
    step = handoff.next_step(requested, intent, text)
    assert (step.slots, step.ask) == (slots, ask)


def test_a_wrong_phone_number_is_explained_and_asked_again():
    step = handoff.next_step(handoff.PHONE, None, "my number is secret")
    assert step.ask == handoff.PHONE and step.problem == "handoff_phone_invalid"


def amsterdam(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=DESK_ZONE)


def test_opening_hours_follow_amsterdam_time_holidays_and_summer_time():
    hours, problems = parse_hours(
        {"monday": "09:00-12:00, 13:00-17:00", "friday": "09:00-17:00", "sunday": "closed"},
        [dt.date(2026, 12, 25)],
    )
    assert problems == []
    assert hours.is_open(amsterdam(2026, 11, 30, 9, 0))  # Monday
    assert not hours.is_open(amsterdam(2026, 11, 30, 12, 30))  # lunch
    assert not hours.is_open(amsterdam(2026, 12, 1, 10, 0))  # Tuesday: not listed
    assert not hours.is_open(amsterdam(2026, 12, 25, 10, 0))  # Christmas, a Friday
    # Friday evening → Monday 09:00. 07:30 UTC on a Monday: 08:30 in winter, 09:30 in summer
    assert hours.next_opening(amsterdam(2026, 11, 27, 18, 0)) == amsterdam(2026, 11, 30, 9, 0)
    assert not hours.is_open(dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.timezone.utc))
    assert hours.is_open(dt.datetime(2026, 6, 1, 7, 30, tzinfo=dt.timezone.utc))
    assert hours.next_opening(amsterdam(2026, 11, 30, 12, 5)) == amsterdam(2026, 11, 30, 13, 0)


def test_broken_desk_hours_are_reported_with_file_and_line(project):
    desk = project / "desk.yml"
    text = desk.read_text(encoding="utf-8").replace('tuesday: "09:00-17:00"', 'tuesday: "9-5"')
    desk.write_text(text, encoding="utf-8")
    result = load_content(project, answer_ids_required(project), read_desk=read_desk)
    [problem] = [p for p in result.errors if "time span" in p.message]
    assert problem.file == "desk.yml"
    assert text.splitlines()[problem.line - 1].strip() == 'tuesday: "9-5"'


@pytest.fixture
def cases(database_url) -> CaseStore:
    return CaseStore(storage.engine(database_url))


def new_case(conversation: str, language: str = "pl") -> NewCase:
    return NewCase(
        conversation,
        "webchat",
        language,
        "request",
        "Nie dostałem wypłaty",
        topics=["wage_problem"],
    )


def test_cases_queue_in_order_and_a_conversation_has_one_open_case(cases):
    first = cases.open_case(new_case("web-first-user"))
    second = cases.open_case(new_case("web-second-user", "ro"))
    assert cases.open_case(new_case("web-first-user")).id == first.id  # asked twice: one case
    assert [c.id for c in cases.queue()] == [first.id, second.id]
    assert (cases.place_in_queue(first), cases.place_in_queue(second)) == (1, 2)
    assert second.topics == ("wage_problem",) and second.status == "waiting"
    assert cases.open_case_of("web-second-user").id == second.id
    assert cases.open_case_of("web-nobody-here") is None


def test_of_two_staff_claiming_at_once_exactly_one_wins(cases):
    case = cases.open_case(new_case("web-claimed-user"))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def claim(name: str) -> None:
        barrier.wait()
        try:
            results.append(cases.claim(case.id, name).staff or "")
        except CaseError:
            results.append("lost")

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("anna", "bart")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("lost") == 1
    [winner] = [r for r in results if r != "lost"]
    assert cases.get(case.id).staff == winner


def test_closing_records_outcome_messages_and_every_staff_action(cases):
    case = cases.open_case(new_case("web-closing-user"))
    cases.claim(case.id, "anna")
    cases.add_message(case.id, "anna", "message", "Zadzwonimy jutro.", "queued")
    cases.add_message(case.id, "anna", "note", "Pracodawca: agencja X")
    closed = cases.close(case.id, "anna", "answered")
    assert closed.status == "closed" and closed.outcome == "answered" and closed.closed_at
    assert cases.open_case_of("web-closing-user") is None
    assert [m["text"] for m in cases.messages_for("web-closing-user", 0)] == ["Zadzwonimy jutro."]
    assert [(a["staff"], a["action"]) for a in reversed(cases.audit_log())] == [
        ("anna", "claim"),
        ("anna", "message"),
        ("anna", "note"),
        ("anna", "close"),
    ]
    with pytest.raises(CaseError):
        cases.close(case.id, "bart", "answered")


def test_staff_tokens_authenticate_and_are_stored_only_as_hashes(database_url):
    staff = StaffStore(storage.engine(database_url))
    token = staff.add("anna")
    admin_token = staff.add("bart", role="admin")
    assert staff.authenticate(token).name == "anna"
    assert staff.authenticate(admin_token).is_admin
    assert staff.authenticate("not-a-token") is None
    with storage.engine(database_url).connect() as db:
        stored = db.exec_driver_sql("SELECT token_hash FROM desk_staff").scalars().all()
    assert token not in stored and admin_token not in stored
    with pytest.raises(ValueError):
        staff.add("anna")
