"""The generic answer action: every answer, every language, fallbacks and language choice."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot.wiring import answer_ids_required
from tests.conftest import LANGUAGES, ROOT


def user_event(text: str, intent: str, **parse: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": [],
            **parse,
        },
    }


def make_tracker(
    text: str = "hello",
    intent: str = "greet",
    *,
    slots: dict[str, Any] | None = None,
    detected: tuple[str, float, bool, bool] | None = None,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> Tracker:
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": ranking or [],
        "metadata": metadata or {},
    }
    if detected:
        code, confidence, reliable, strong = detected
        latest["language"] = {
            "code": code,
            "confidence": confidence,
            "reliable": reliable,
            "strong": strong,
        }
    events = [*(history or []), {"event": "user", "text": text, "parse_data": latest}]
    return Tracker("test-user", slots or {}, latest, events, False, None, None, "action_listen")


async def run(tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def first_line(content: Any, language: str, answer_id: str) -> str:
    return content.catalogs[language].answers[answer_id].text.splitlines()[0].split("{")[0]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "intent", sorted(answer_ids_required(ROOT) - {"show_more", "change_language"})
)
async def test_every_answer_in_every_language(content, intent, language):
    messages, _ = await run(make_tracker("…", intent, slots={"language": language}))
    assert len(messages) == 1
    assert first_line(content, language, intent) in messages[0]["text"]
    ui = content.catalogs[language].ui
    titles = set(ui["topics"].values()) | {ui["more"], ui["confirm_forget"], ui["keep_data"]}
    titles |= {"👍", "👎"}
    assert all(b["title"] in titles for b in messages[0]["buttons"])


async def test_first_reliable_detection_sets_the_language(content):
    messages, events = await run(
        make_tracker("unde pot lua bsn", "bsn", detected=("ro", 0.8, True, False))
    )
    assert SlotSet("language", "ro") in events
    assert first_line(content, "ro", "bsn") in messages[0]["text"]


async def test_a_weak_detection_does_not_flip_the_conversation(content):
    messages, events = await run(
        make_tracker("ok", "affirm", slots={"language": "pl"}, detected=("nl", 0.7, True, False))
    )
    assert not any(e.get("name") == "language" for e in events)
    assert first_line(content, "pl", "affirm") in messages[0]["text"]


async def test_channel_hint_is_used_when_nothing_was_detected(content):
    messages, events = await run(make_tracker("hi", "greet", metadata={"language_hint": "nl-BE"}))
    assert first_line(content, "nl", "greet") in messages[0]["text"]
    assert not any(e.get("name") == "language" for e in events)


async def test_language_button_switches_and_confirms(content):
    tracker = make_tracker(
        '/change_language{"language":"bg"}',
        "change_language",
        slots={"language": "pl"},
        entities=[{"entity": "language", "value": "bg"}],
    )
    messages, events = await run(tracker)
    assert SlotSet("language", "bg") in events
    assert first_line(content, "bg", "language_set") in messages[0]["text"]


async def test_asking_for_a_language_in_words(content):
    messages, events = await run(
        make_tracker("po polsku prosze", "change_language", slots={"language": "en"})
    )
    assert SlotSet("language", "pl") in events
    assert first_line(content, "pl", "language_set") in messages[0]["text"]


async def test_change_language_without_a_language_shows_the_picker():
    messages, events = await run(
        make_tracker(
            "change language",
            "change_language",
            slots={"language": "ro", "privacy_noticed": True},
        )
    )
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[:5] == ["Polski", "Română", "Български", "Nederlands", "English"]
    assert events == []


async def test_first_fallback_offers_best_guesses_and_a_person(content):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "housing_costs", "confidence": 0.28},
        {"name": "greet", "confidence": 0.2},
        {"name": "wage_problem", "confidence": 0.18},
        {"name": "bsn", "confidence": 0.1},
    ]
    messages, _ = await run(
        make_tracker("hmm kasa za pokoj", "nlu_fallback", slots={"language": "pl"}, ranking=ranking)
    )
    topics = content.catalogs["pl"].ui["topics"]
    assert first_line(content, "pl", "fallback") in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/housing_costs",
        "/wage_problem",
        "/request_human",
    ]
    assert messages[0]["buttons"][0]["title"] == topics["housing_costs"]


async def test_two_fallbacks_in_a_row_offer_the_desk(content):
    history = [user_event("asdf qwer", "nlu_fallback"), {"event": "bot", "text": "?"}]
    messages, _ = await run(
        make_tracker("zxcv", "nlu_fallback", slots={"language": "ro"}, history=history)
    )
    assert first_line(content, "ro", "fallback_desk") in messages[0]["text"]
    assert content.desk.url in messages[0]["text"]


async def test_fallbacks_in_different_sessions_do_not_count_as_a_row(content):
    history = [user_event("asdf", "nlu_fallback"), {"event": "session_started"}]
    messages, _ = await run(
        make_tracker("zxcv", "nlu_fallback", slots={"language": "ro"}, history=history)
    )
    assert first_line(content, "ro", "fallback") in messages[0]["text"]


async def test_more_shows_the_detail_of_the_last_topic(content):
    with_more = next(a for a in content.catalogs["nl"].answers.values() if a.more)
    messages, events = await run(
        make_tracker("meer", "show_more", slots={"language": "nl", "last_answer": with_more.id})
    )
    assert with_more.more.splitlines()[0] in messages[0]["text"]
    assert not any(e.get("name") == "last_answer" for e in events)


async def test_a_topic_answer_is_remembered_for_more():
    _, events = await run(make_tracker("bsn?", "bsn", slots={"language": "pl"}))
    assert SlotSet("last_answer", "bsn") in events


async def test_unknown_intent_is_treated_as_not_understood(content):
    messages, _ = await run(make_tracker("x", "some_new_intent", slots={"language": "bg"}))
    assert first_line(content, "bg", "fallback") in messages[0]["text"]


async def test_a_first_greeting_offers_the_languages(content):
    messages, _ = await run(make_tracker("/greet", "greet", metadata={"language_hint": "ro-RO"}))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/change_language{"language":"bg"}' in payloads
    assert first_line(content, "ro", "greet") in messages[0]["text"]


async def test_a_later_greeting_does_not_offer_the_languages():
    messages, _ = await run(make_tracker("hej", "greet", slots={"language": "pl"}))
    assert not any("change_language" in b["payload"] for b in messages[0]["buttons"])


def notice_start(content: Any, language: str) -> str:
    return content.catalogs[language].ui["privacy_notice"].split("{")[0]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_first_reply_ends_with_the_privacy_notice_and_its_link(content, language):
    messages, events = await run(make_tracker("bsn?", "bsn", slots={"language": language}))
    last_line = messages[0]["text"].splitlines()[-1]
    assert last_line.startswith(notice_start(content, language))
    assert last_line.endswith(f"/webhooks/webchat/privacy/{language}")
    assert SlotSet("privacy_noticed", True) in events


async def test_the_privacy_notice_is_shown_once_per_conversation(content):
    slots = {"language": "pl", "privacy_noticed": True}
    messages, events = await run(make_tracker("bsn?", "bsn", slots=slots))
    assert notice_start(content, "pl") not in messages[0]["text"]
    assert not any(e.get("name") == "privacy_noticed" for e in events)


async def test_telegram_start_welcomes_with_languages_and_the_notice_again(content):
    slots = {"language": "ro", "privacy_noticed": True}
    messages, _ = await run(
        make_tracker("/greet", "greet", slots=slots, metadata={"command": "start"})
    )
    assert first_line(content, "ro", "greet") in messages[0]["text"]
    assert notice_start(content, "ro") in messages[0]["text"]
    assert any("change_language" in b["payload"] for b in messages[0]["buttons"])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_delete_my_data_asks_before_deleting(content, language):
    slots = {"language": language, "privacy_noticed": True}
    messages, events = await run(make_tracker("delete", "forget", slots=slots))
    assert first_line(content, language, "forget") in messages[0]["text"]
    ui = content.catalogs[language].ui
    assert messages[0]["buttons"] == [
        {"title": ui["confirm_forget"], "payload": "/affirm"},
        {"title": ui["keep_data"], "payload": "/deny"},
    ]
    assert not any(e.get("name") == "erase_conversation" for e in events)


@pytest.mark.parametrize(
    ("before", "intent", "language", "answer", "erased"),
    [
        ("forget", "affirm", "pl", "forget_done", True),  # yes to "delete my data?"
        ("forget", "deny", "ro", "forget_kept", False),  # no
        ("greet", "affirm", "en", "affirm", False),  # yes to anything else
    ],
)
async def test_only_yes_right_after_the_question_deletes(
    content, before, intent, language, answer, erased
):
    history = [user_event("…", before), {"event": "bot", "text": "?"}]
    slots = {"language": language, "privacy_noticed": True}
    messages, events = await run(make_tracker("…", intent, slots=slots, history=history))
    assert first_line(content, language, answer) in messages[0]["text"]
    assert (SlotSet("erase_conversation", True) in events) is erased


@pytest.mark.parametrize(
    ("text", "intent", "language", "answers"),
    [
        # danger first, whatever the message was understood as
        ("on mnie bije i grozi ze mnie zabije", "report_abuse", "pl", ["emergency"]),
        ("vreau sa ma sinucid", "nlu_fallback", "ro", ["emergency"]),
        # an urgent situation: the topic's answer, then the offer of a person
        ("agencja zabrala mi paszport", "report_abuse", "pl", ["report_abuse", "urgent_help"]),
        ("нямам къде да спя тази нощ", "nlu_fallback", "bg", ["urgent_help"]),
        # an ordinary question
        ("ile wynosi eigen risico", "health_insurance", "pl", ["health_insurance"]),
    ],
)
async def test_danger_and_urgent_situations_come_with_the_offer_of_a_person(
    content, text, intent, language, answers
):
    slots = {"language": language, "privacy_noticed": True}
    messages, events = await run(make_tracker(text, intent, slots=slots))
    assert len(messages) == len(answers)
    for message, answer in zip(messages, answers, strict=True):
        assert first_line(content, language, answer) in message["text"]
    offered = messages[-1]["buttons"][-1]["payload"] == "/request_human"
    assert offered is (answers[-1] in {"emergency", "urgent_help"})
    reason = {"emergency": "danger", "urgent_help": "urgent"}.get(answers[-1])
    assert (SlotSet("handoff_reason", reason) in events) is (reason is not None)


# --- "did this help?" and what the editors learn --------------------------------------------


async def test_a_topic_answer_asks_did_this_help_after_more(content):
    messages, _ = await run(make_tracker("wypowiedzenie", "dismissal", slots={"language": "pl"}))
    buttons = [(b["title"], b["payload"]) for b in messages[0]["buttons"]]
    assert buttons[:3] == [
        (content.catalogs["pl"].ui["more"], "/show_more"),
        ("👍", '/affirm{"feedback":"dismissal"}'),
        ("👎", '/deny{"feedback":"dismissal"}'),
    ]
    assert all(b[1].startswith("/") and "feedback" not in b[1] for b in buttons[3:])


@pytest.mark.parametrize("intent", ["greet", "thanks", "nlu_fallback", "help"])
async def test_small_talk_and_not_understood_get_no_rating_buttons(intent):
    messages, _ = await run(make_tracker("…", intent, slots={"language": "ro"}))
    assert not any("feedback" in b["payload"] for m in messages for b in m.get("buttons", []))


async def test_thumbs_up_thanks_and_is_counted_for_the_answer(content, editors_store):
    tracker = make_tracker(
        '/affirm{"feedback":"bsn"}',
        "affirm",
        slots={"language": "bg"},
        entities=[{"entity": "feedback", "value": "bsn"}],
        history=[user_event("bsn", "bsn"), {"event": "bot", "text": "…"}],
    )
    messages, events = await run(tracker)
    assert first_line(content, "bg", "feedback_thanks") in messages[0]["text"]
    counts = {(c.figure, c.key, c.language): c.count for c in editors_store.counts("2000-01-01")}
    assert counts == {("helpful", "bsn", "bg"): 1}
    assert not any(e.get("name") == "feedback_for" for e in events)


async def test_thumbs_down_asks_what_was_missing_and_offers_a_person(content, editors_store):
    tracker = make_tracker(
        '/deny{"feedback":"sick_pay"}',
        "deny",
        slots={"language": "nl"},
        entities=[{"entity": "feedback", "value": "sick_pay"}],
        history=[user_event("forget", "forget"), {"event": "bot", "text": "…"}],
    )
    messages, events = await run(tracker)  # a 👎 is no "no, keep my data", even right after
    assert first_line(content, "nl", "feedback_sorry") in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human"]
    assert SlotSet("feedback_for", "sick_pay") in events
    assert not any(e.get("name") == "erase_conversation" for e in events)

    typed = make_tracker(
        "ik wil weten hoeveel ik krijg, bel 0612345678",
        "nlu_fallback",
        slots={"language": "nl", "feedback_for": "sick_pay"},
    )
    _, events = await run(typed)
    assert SlotSet("feedback_for", None) in events
    [kept] = editors_store.unanswered(0)
    assert (kept.kind, kept.answer_id) == ("not_helpful", "sick_pay")
    assert kept.text == "ik wil weten hoeveel ik krijg, bel [phone]"


async def test_a_rating_of_no_topic_is_just_a_no(content):
    tracker = make_tracker(
        '/deny{"feedback":"greet"}',
        "deny",
        slots={"language": "en"},
        entities=[{"entity": "feedback", "value": "greet"}],
    )
    messages, _ = await run(tracker)
    assert first_line(content, "en", "deny") in messages[0]["text"]


async def test_a_not_understood_message_is_kept_masked_for_the_editors(editors_store):
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "bsn", "confidence": 0.2}]
    text = "mam na imię Ewa, potrzebuję prawo jazdy"
    await run(make_tracker(text, "nlu_fallback", slots={"language": "pl"}, ranking=ranking))
    [kept] = editors_store.unanswered(0)
    assert (kept.text, kept.guess, kept.language) == (
        "mam na imię [name], potrzebuję prawo jazdy",
        "bsn",
        "pl",
    )


async def test_a_broken_database_costs_the_user_no_answer(content, monkeypatch, caplog):
    from bot import wiring

    class Broken:
        def count(self, *args: object) -> None:
            raise OSError("disk full")

    monkeypatch.setitem(wiring._made, "editors", Broken())
    messages, _ = await run(make_tracker("bsn?", "bsn", slots={"language": "pl"}))
    assert first_line(content, "pl", "bsn") in messages[0]["text"]
    assert "Editors' figures not recorded" in caplog.text
    assert "bsn?" not in caplog.text
