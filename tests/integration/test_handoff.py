"""Handing a conversation to the desk and back, through the web chat and the staff API, with
the real model and servers; against SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import storage
from bot.desk.auth import Authenticator
from bot.desk.staff import StaffStore
from bot.intents import language_payload
from bot.tools.processes import stop
from tests.databases import KINDS, fresh_database
from tests.integration.conftest import Assistant, start
from tests.integration.replies import reply_answer

# A first question (sets the language), asking for a person, and the situation in their words.
USERS = {
    "pl": (
        "gdzie moge dostac numer bsn",
        "chce porozmawiac z czlowiekiem",
        "Agencja nie placi mi od trzech tygodni i nie wiem co robic",
    ),
    "ro": (
        "de unde iau numarul bsn",
        "vreau sa vorbesc cu o persoana reala",
        "Agentia nu mi-a platit salariul de trei saptamani",
    ),
    "bg": (
        "kak da si izvadya bsn nomer",
        "iskam da govorya s chovek",
        "Агенцията не ми е платила заплатата от три седмици",
    ),
}


@pytest.fixture(scope="module", params=KINDS)
def desk(
    request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Assistant, dict[str, str]]]:
    folder = tmp_path_factory.mktemp(f"desk-{request.param}")
    with fresh_database(request.param, folder) as url:
        staff = StaffStore(storage.engine(url))
        tokens = {name: staff.add(name) for name in ("anna", "bart")}
        tokens["admin"] = staff.add("root", role="admin")
        passwords = Authenticator(storage.engine(url))
        for name in ("anna", "bart", "root"):
            passwords.set_password(name, f"{name}-console-password")
        running = start(trained_model, folder, database_url=url)
        try:
            yield running, tokens
        finally:
            stop(running.processes)


def api(
    assistant: Assistant, method: str, path: str, token: str | None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        status, reply, _ = assistant.get_with(f"/webhooks/desk/api{path}", headers)
    else:
        status, reply, _ = assistant.post(f"/webhooks/desk/api{path}", body or {}, headers)
    return status, reply


def updates(assistant: Assistant, user: str, after: int = 0) -> list[dict[str, Any]]:
    status, reply, _ = assistant.get_with(
        f"/webhooks/webchat/updates?sender={user}&after={after}",
        {"X-Webchat-Key": assistant.keys[user]},
    )
    assert status == 200
    return reply["messages"]


def hand_over(assistant: Assistant, content: Any, user: str, language: str) -> int:
    """Ask for a person and go through the form; returns the case id."""
    question, ask, situation = USERS[language]
    assistant.say(user, question)
    [consent] = assistant.say(user, ask)
    assert reply_answer(content, language, consent["text"]) == "handoff_consent"
    assert [b["payload"] for b in consent["buttons"]] == ["/affirm", "/deny"]
    [describe] = assistant.say(user, "/affirm")
    assert reply_answer(content, language, describe["text"]) == "handoff_description"
    [contact] = assistant.say(user, situation)
    assert reply_answer(content, language, contact["text"]) == "handoff_contact"
    [opened] = assistant.say(user, "chat")
    assert reply_answer(content, language, opened["text"]) in {"case_opened", "case_opened_closed"}
    return case_of(assistant, user)


def case_of(assistant: Assistant, user: str) -> int:
    status, reply = api(assistant, "GET", "/cases", TOKENS["anna"])
    assert status == 200
    [case] = [c for c in reply["cases"] if c["conversation_id"] == user]
    return int(case["id"])


# Staff tokens of the module's assistant (set by the autouse fixture below).
TOKENS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def tokens(desk: tuple[Assistant, dict[str, str]]) -> None:
    TOKENS.clear()
    TOKENS.update(desk[1])


@pytest.mark.parametrize("language", sorted(USERS))
def test_a_person_takes_over_and_hands_back(desk, content, language):
    assistant, _ = desk
    user = assistant.new_user()
    case_id = hand_over(assistant, content, user, language)
    status, reply = api(assistant, "GET", f"/cases/{case_id}", TOKENS["anna"])
    case = reply["case"]
    assert (case["status"], case["language"], case["contact"]) == ("waiting", language, "chat")
    assert case["description"] == USERS[language][2] and "bsn" in case["topics"]

    assert assistant.say(user, "halo? jest tam ktos?") == []  # the bot is silent now
    _, reply = api(assistant, "GET", f"/cases/{case_id}", TOKENS["anna"])
    assert "halo? jest tam ktos?" in [t["text"] for t in reply["transcript"] if t["from"] == "user"]

    assert api(assistant, "POST", f"/cases/{case_id}/claim", TOKENS["anna"])[0] == 200
    status, sent = api(
        assistant,
        "POST",
        f"/cases/{case_id}/messages",
        TOKENS["anna"],
        {"text": "Dzień dobry, tu Anna. Zadzwonię jutro o 10."},
    )
    assert (status, sent["delivery"]) == (201, "queued")
    assert [m["text"] for m in updates(assistant, user)] == [
        "Dzień dobry, tu Anna. Zadzwonię jutro o 10."
    ]
    assert (
        api(
            assistant,
            "POST",
            f"/cases/{case_id}/notes",
            TOKENS["anna"],
            {"text": "agencja X, 3 tygodnie"},
        )[0]
        == 201
    )

    status, _ = api(
        assistant, "POST", f"/cases/{case_id}/close", TOKENS["anna"], {"outcome": "answered"}
    )
    assert status == 200
    resumed = updates(assistant, user, after=sent["id"])
    assert reply_answer(content, language, resumed[-1]["text"]) == "case_closed"
    [answer] = assistant.say(user, USERS[language][0])
    assert reply_answer(content, language, answer["text"]) == "bsn"  # the bot answers again

    _, reply = api(assistant, "GET", f"/cases/{case_id}", TOKENS["anna"])
    kinds = [t["from"] for t in reply["transcript"]]
    assert {"user", "bot", "staff", "note"} <= set(kinds)
    _, audit = api(assistant, "GET", "/audit", TOKENS["admin"])
    done = [(a["staff"], a["action"]) for a in audit["audit"] if a["case_id"] == case_id]
    assert {("anna", "claim"), ("anna", "message"), ("anna", "note"), ("anna", "close")} <= set(
        done
    )


def test_two_staff_claiming_at_once_one_wins(desk, content):
    assistant, _ = desk
    case_id = hand_over(assistant, content, assistant.new_user(), "ro")
    results: list[int] = []
    barrier = threading.Barrier(2)

    def claim(name: str) -> None:
        barrier.wait()
        results.append(api(assistant, "POST", f"/cases/{case_id}/claim", TOKENS[name])[0])

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("anna", "bart")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]


def test_refusing_consent_opens_no_case_and_gives_the_public_contacts(desk, content):
    assistant, _ = desk
    user = assistant.new_user()
    assistant.say(user, USERS["pl"][0])
    assistant.say(user, USERS["pl"][1])
    [refused] = assistant.say(user, "/deny")
    assert reply_answer(content, "pl", refused["text"]) == "handoff_refused"
    assert content.desk.url in refused["text"]
    _, reply = api(assistant, "GET", "/cases", TOKENS["anna"])
    assert user not in [c["conversation_id"] for c in reply["cases"]]
    assert assistant.say(user, "dzieki") != []  # the bot still talks


def test_the_pause_survives_the_end_of_the_session(desk, content):
    assistant, _ = desk
    user = assistant.new_user()
    case_id = hand_over(assistant, content, user, "bg")
    two_hours_pass(assistant, user)
    assert assistant.say(user, "има ли някой там?") == []  # a new session, still paused
    _, tracker, _ = assistant.api(f"/conversations/{user}/tracker")
    assert [e["event"] for e in tracker["events"]].count("session_started") == 2
    assert tracker["paused"]
    api(assistant, "POST", f"/cases/{case_id}/close", TOKENS["bart"], {"outcome": "no_reply"})
    [answer] = assistant.say(user, USERS["bg"][0])
    assert reply_answer(content, "bg", answer["text"]) == "bsn"


def two_hours_pass(assistant: Assistant, user: str) -> None:
    """Move the conversation's events two hours back (Rasa reads times from the event data)."""
    events = sa.table(
        "events", sa.column("id"), sa.column("timestamp"), sa.column("data"), sa.column("sender_id")
    )
    with storage.engine(assistant.settings.database_url).begin() as db:
        rows = db.execute(sa.select(events.c.id, events.c.data).where(events.c.sender_id == user))
        for row_id, data in rows.all():
            event = json.loads(data)
            event["timestamp"] -= 7200
            db.execute(
                sa.update(events)
                .where(events.c.id == row_id)
                .values(timestamp=event["timestamp"], data=json.dumps(event))
            )


def first_message(
    assistant: Assistant, language: str, text: str
) -> tuple[str, list[dict[str, Any]]]:
    """A new user who chose ``language`` with its button sends ``text``: the user and replies."""
    user = assistant.new_user()
    assistant.say(user, language_payload(language))
    return user, assistant.say(user, text)


@pytest.mark.parametrize(
    ("language", "text", "answer"),
    [
        ("pl", "pomocy, szef mnie pobil i grozi ze mnie zabije", "emergency"),
        ("ro", "sefa m-a batut si ma ameninta ca ma omoara", "emergency"),
        ("bg", "шефът ме бие и заплашва да ме убие", "emergency"),
        ("nl", "mijn baas slaat mij en dreigt me te vermoorden", "emergency"),
        ("pl", "agencja zabrala mi paszport i nie chce oddac", "urgent_help"),
        ("ro", "angajatorul mi-a luat pasaportul si nu mi-l da inapoi", "urgent_help"),
        ("bg", "agenciyata mi vzeha pasporta i ne mi go vrashtat", "urgent_help"),
        ("nl", "het uitzendbureau heeft mijn paspoort afgepakt", "urgent_help"),
    ],
)
def test_danger_and_exploitation_get_the_right_path_in_every_language(
    desk, content, language, text, answer
):
    assistant, _ = desk
    user, replies = first_message(assistant, language, text)
    reply = replies[-1]  # urgent: after the topic's answer, if there is one
    assert reply_answer(content, language, reply["text"]) == answer
    assert reply["buttons"][-1]["payload"] == "/request_human"
    [consent] = assistant.say(user, "/request_human")
    assert reply_answer(content, language, consent["text"]) == "handoff_consent"


@pytest.mark.parametrize(
    ("language", "text", "topic"),
    [
        ("pl", "wyrzucili mnie z kwatery i dzisiaj nie mam gdzie spac", "emergency_shelter"),
        ("nl", "ik ben dakloos en slaap vannacht in mijn auto", "emergency_shelter"),
        ("en", "my boss wants me to sign a termination agreement today, what do i do", "dismissal"),
        ("ro", "agentia vrea sa semnez azi o vaststellingsovereenkomst", "dismissal"),
        (
            "bg",
            "dnes trqbva da podpisha vaststellingsovereenkomst, inache shte me uvolnqt",
            "dismissal",
        ),
    ],
)
def test_no_place_to_sleep_or_a_paper_to_sign_today_is_answered_then_a_person_offered(
    desk, content, language, text, topic
):
    assistant, _ = desk
    _, replies = first_message(assistant, language, text)
    answers = [reply_answer(content, language, reply["text"]) for reply in replies]
    assert answers == [topic, "urgent_help"]
    assert replies[-1]["buttons"][-1]["payload"] == "/request_human"


def test_the_staff_api_refuses_anonymous_and_wrong_role_access(desk):
    assistant, _ = desk
    for path in ("/cases", "/cases/1", "/events", "/audit", "/me", "/staff"):
        assert api(assistant, "GET", path, None)[0] == 401
        assert api(assistant, "GET", path, "wrong-token")[0] == 401
    posts = ("/cases/1/claim", "/cases/1/unclaim", "/cases/1/close", "/cases/1/messages")
    for path in (*posts, "/cases/1/notes", "/logout", "/staff"):
        assert api(assistant, "POST", path, None)[0] == 401
    assert api(assistant, "GET", "/audit", TOKENS["anna"])[0] == 403
    assert api(assistant, "GET", "/staff", TOKENS["anna"])[0] == 403
    assert api(assistant, "GET", "/cases/999999", TOKENS["anna"])[0] == 404
    assert api(assistant, "POST", "/cases/999999/claim", TOKENS["anna"])[0] == 404
    assert api(assistant, "GET", "/audit", TOKENS["admin"])[0] == 200
    for body in (b"{not json", b"[" * 30_000 + b"]" * 30_000, {"text": ""}, {"text": 5}):
        assert api(assistant, "POST", "/cases/1/notes", TOKENS["anna"], body)[0] == 400
    huge = b"[" * 100_000 + b"]" * 100_000  # over 64 KB: refused before it is read
    assert api(assistant, "POST", "/cases/1/notes", TOKENS["anna"], huge)[0] == 413


def test_staff_are_notified_of_a_new_case(desk, content):
    assistant, _ = desk
    host, port = assistant.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request(
        "GET", "/webhooks/desk/api/events", headers={"Authorization": f"Bearer {TOKENS['anna']}"}
    )
    stream = connection.getresponse()
    assert stream.status == 200
    assert stream.getheader("content-type").startswith("text/event-stream")
    user = assistant.new_user()
    hand_over(assistant, content, user, "pl")
    deadline = time.monotonic() + 20
    event = None
    while time.monotonic() < deadline:
        line = stream.readline().decode()
        if line.startswith("data: "):
            event = json.loads(line[6:])
            break
    connection.close()
    assert event is not None and event["conversation_id"] == user


@pytest.mark.parametrize("kind", KINDS)
def test_the_pause_and_the_case_survive_a_restart(trained_model, tmp_path, content, kind):
    with fresh_database(kind, tmp_path) as url:
        token = StaffStore(storage.engine(url)).add("anna")
        first = start(trained_model, tmp_path, database_url=url)
        try:
            user = first.new_user()
            TOKENS["anna"] = token
            case_id = hand_over(first, content, user, "ro")
        finally:
            stop(first.processes)
        second = start(trained_model, tmp_path, database_url=url)
        second.keys.update(first.keys)  # the page keeps its chat; the server its key file
        try:
            assert second.say(user, "mai este cineva acolo?") == []  # still with the desk
            status, reply = api(second, "GET", f"/cases/{case_id}", token)
            assert status == 200 and reply["case"]["status"] == "waiting"
            said = [t["text"] for t in reply["transcript"] if t["from"] == "user"]
            assert USERS["ro"][2] in said and "mai este cineva acolo?" in said
            api(second, "POST", f"/cases/{case_id}/close", token, {"outcome": "answered"})
            [answer] = second.say(user, USERS["ro"][0])
            assert reply_answer(content, "ro", answer["text"]) == "bsn"
        finally:
            stop(second.processes)


def test_a_phone_contact_is_stored_with_the_case_and_nothing_personal_is_logged(desk, content):
    assistant, _ = desk
    user = assistant.new_user()
    description = "Mój pracodawca w Tilburgu zabrał mi dowód i nie oddaje"
    assistant.say(user, USERS["pl"][0])
    assistant.say(user, USERS["pl"][1])
    assistant.say(user, "/affirm")
    assistant.say(user, description)
    [ask_phone] = assistant.say(user, "phone")
    assert reply_answer(content, "pl", ask_phone["text"]) == "handoff_phone"
    again = [reply_answer(content, "pl", m["text"]) for m in assistant.say(user, "nie pamietam")]
    assert again == ["handoff_phone_invalid", "handoff_phone"]
    [opened] = assistant.say(user, "+48 600-100-200")
    assert reply_answer(content, "pl", opened["text"]) in {"case_opened", "case_opened_closed"}
    _, reply = api(assistant, "GET", f"/cases/{case_of(assistant, user)}", TOKENS["anna"])
    assert (reply["case"]["contact"], reply["case"]["phone"]) == ("phone", "+48600100200")

    logs = assistant.logs()
    for secret in (description, "600-100-200", "48600100200", user, "nie pamietam"):
        assert secret not in logs, secret


def test_danger_while_the_desk_has_the_conversation_still_gets_112_at_once(desk, content):
    assistant, _ = desk
    user = assistant.new_user()
    case_id = hand_over(assistant, content, user, "pl")
    assert assistant.say(user, "czy ktos tu jest?") == []
    [emergency] = assistant.say(user, "on znowu mnie bije i grozi ze mnie zabije")
    assert reply_answer(content, "pl", emergency["text"]) == "emergency"
    _, reply = api(assistant, "GET", f"/cases/{case_id}", TOKENS["anna"])
    said = [t["text"] for t in reply["transcript"] if t["from"] == "user"]
    assert "on znowu mnie bije i grozi ze mnie zabije" in said  # staff see it too


def test_delete_my_data_is_heard_while_the_desk_has_the_conversation(desk, content):
    assistant, _ = desk
    kept, erased = assistant.new_user(), assistant.new_user()
    kept_case = hand_over(assistant, content, kept, "ro")
    [question] = assistant.say(kept, "/forget")
    assert reply_answer(content, "ro", question["text"]) == "forget"
    [answer] = assistant.say(kept, "/deny")
    assert reply_answer(content, "ro", answer["text"]) == "forget_kept"
    assert assistant.say(kept, "mai este cineva acolo?") == []  # still with the desk
    _, reply = api(assistant, "GET", f"/cases/{kept_case}", TOKENS["anna"])
    assert reply["case"]["status"] == "waiting"

    case_id = hand_over(assistant, content, erased, "pl")
    [question] = assistant.say(erased, "usun moje dane")
    assert reply_answer(content, "pl", question["text"]) == "forget"
    [done] = assistant.say(erased, "/affirm")
    assert reply_answer(content, "pl", done["text"]) == "forget_done"
    assert assistant.rows_about(erased) == 0
    status, reply = api(assistant, "GET", f"/cases/{case_id}", TOKENS["anna"])
    assert status == 200  # the desk sees that the user withdrew, and nothing of what they wrote
    assert reply["case"]["status"] == "closed" and reply["case"]["outcome"] == "erased"
    assert reply["case"]["description"] is None and reply["transcript"] == []
    _, queue = api(assistant, "GET", "/cases", TOKENS["anna"])
    assert case_id not in [c["id"] for c in queue["cases"]]


def console(assistant: Assistant, name: str, password: str | None = None) -> tuple[int, Any, str]:
    """Sign in as the console does: the status, the reply, and the session cookie."""
    status, reply, headers = assistant.post(
        "/webhooks/desk/api/login",
        {"name": name, "password": password or f"{name}-console-password"},
    )
    cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    return status, reply, cookie.split(";", 1)[0]


def test_the_console_signs_in_with_a_cookie_and_needs_the_csrf_token(desk, content):
    assistant, _ = desk
    status, me, cookie = console(assistant, "bart")
    assert status == 200 and me["staff"] == "bart" and cookie.startswith("wegwijs_desk=")
    _, _, headers = assistant.post(
        "/webhooks/desk/api/login", {"name": "bart", "password": "bart-console-password"}
    )
    flags = (headers.get("set-cookie") or headers.get("Set-Cookie") or "").lower()
    assert "httponly" in flags and "secure" in flags and "samesite=strict" in flags
    session = {"Cookie": cookie}
    assert assistant.get_with("/webhooks/desk/api/cases", session)[0] == 200
    case_id = hand_over(assistant, content, assistant.new_user(), "ro")
    claim = f"/webhooks/desk/api/cases/{case_id}/claim"
    assert assistant.post(claim, {}, session)[0] == 403  # no CSRF token: a forged request
    assert assistant.post(claim, {}, {**session, "X-CSRF-Token": "guess"})[0] == 403
    assert assistant.post(claim, {}, {**session, "X-CSRF-Token": me["csrf"]})[0] == 200
    assert assistant.get_with("/webhooks/desk/api/staff", session)[0] == 403  # not an admin
    logout = assistant.post(
        "/webhooks/desk/api/logout", {}, {**session, "X-CSRF-Token": me["csrf"]}
    )
    assert logout[0] == 200
    assert assistant.get_with("/webhooks/desk/api/cases", session)[0] == 401


def test_admins_manage_accounts_and_wrong_passwords_lock_an_account(desk):
    assistant, _ = desk
    _, me, cookie = console(assistant, "root")
    admin = {"Cookie": cookie, "X-CSRF-Token": me["csrf"]}
    new = {"name": "dana", "password": "dana-long-password", "role": "staff"}
    assert assistant.post("/webhooks/desk/api/staff", new, admin)[0] == 201
    assert console(assistant, "dana", "dana-long-password")[0] == 200
    for _ in range(5):
        assert console(assistant, "dana", "not her password")[0] == 401
    status, refused, _ = console(assistant, "dana", "dana-long-password")
    assert status == 429 and "Too many" in refused["message"]
    delete = urllib.request.Request(
        assistant.base + "/webhooks/desk/api/staff/dana", method="DELETE", headers=admin
    )
    assert assistant._send(delete)[0] == 200
    _, audit = api(assistant, "GET", "/audit", TOKENS["admin"])
    assert {"add_staff", "remove_staff", "sign_in"} <= {a["action"] for a in audit["audit"]}


def test_closed_cases_are_found_by_day_and_outcome(desk, content):
    assistant, _ = desk
    case_id = hand_over(assistant, content, assistant.new_user(), "pl")
    api(assistant, "POST", f"/cases/{case_id}/close", TOKENS["anna"], {"outcome": "referred"})
    today = time.strftime("%Y-%m-%d")
    _, found = api(
        assistant,
        "GET",
        f"/cases?status=closed&from={today}&to={today}&outcome=referred",
        TOKENS["anna"],
    )
    assert case_id in [c["id"] for c in found["cases"]]
    assert all(c["outcome"] == "referred" for c in found["cases"])
    _, earlier = api(assistant, "GET", "/cases?status=closed&to=2020-01-01", TOKENS["anna"])
    assert earlier["cases"] == []
    assert api(assistant, "GET", "/cases?status=closed&from=yesterday", TOKENS["anna"])[0] == 400


def test_staff_get_ready_made_replies_in_the_users_language_with_the_english(desk, content):
    assistant, _ = desk
    status, canned = api(assistant, "GET", "/canned?language=bg", TOKENS["bart"])
    assert status == 200
    replies = {r["id"]: r for r in canned["replies"]}
    english = content.catalogs["en"].canned
    assert set(replies) == set(english)
    assert replies["call_tomorrow"]["english"] == english["call_tomorrow"]
    assert replies["call_tomorrow"]["text"] == content.catalogs["bg"].canned["call_tomorrow"]
    case_id = hand_over(assistant, content, assistant.new_user(), "bg")
    _, view = api(assistant, "GET", f"/cases/{case_id}", TOKENS["bart"])
    assert view["reply_window"] == {"open": True, "template": False}  # the web chat: always
    assert api(assistant, "GET", "/canned?language=xx", TOKENS["bart"])[0] == 400
