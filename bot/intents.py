"""The kinds of intents, and what buttons send: declared once, imported everywhere.

``domain.yml`` lists the intents (Rasa needs them there); this module says what each one is.
Every intent has exactly one kind:

- a **topic** (``TOPICS``, by topic area): answered with the answer of the same name in
  ``locales/<lang>/<area>.yml``, offered as "did you mean" when the assistant is unsure, and
  remembered for "More";
- a **conversation** intent (``CONVERSATION_INTENTS``): about the conversation itself
  (greeting, thanks, yes and no, the language, deleting one's data); answered with the answer
  of the same name, never offered as a topic;
- a **system** intent (``SYSTEM_INTENTS``): handled without an answer of its name ("More"
  shows the previous answer's detail, asking for a person starts the handoff form, Rasa's
  ``nlu_fallback`` gets "did you mean").

An intent of ``domain.yml`` that is declared nowhere here makes
``tests/unit/test_completeness.py`` fail, so that no new intent silently becomes a topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

FALLBACK_INTENT = "nlu_fallback"  # Rasa's FallbackClassifier: not understood
SHOW_MORE_INTENT = "show_more"
HANDOFF_INTENT = "request_human"  # "talk to a person": starts the handoff form
LANGUAGE_INTENT = "change_language"
LANGUAGE_ENTITY = "language"
# 👍/👎 under a topic's answer send "yes"/"no" with this entity: the answer they rate.
FEEDBACK_ENTITY = "feedback"

# The work-and-income topics of December 2026, the problems that bring most migrants to a desk
# (their borders: data/nlu/README.md); `make bench-nlu` measures them apart from the others.
_WORK_AND_INCOME_AT_WORK = (
    "dismissal",
    "sick_pay",
    "unemployment_benefit",
    "tax_return",
    "payslip",
    "contract_terms",
)
WORK_AND_INCOME = frozenset({*_WORK_AND_INCOME_AT_WORK, "leaving_nl", "emergency_shelter"})

# Topics by area: the area names the files of a topic (locales/<lang>/<area>.yml,
# data/nlu/<lang>/<area>.yml, data/rules/<area>.yml, tests/nlu/<lang>/<area>.yml).
TOPICS: dict[str, tuple[str, ...]] = {
    "registration": ("registration_brp", "bsn", "digid", "address_change", "leaving_nl"),
    "healthcare": (
        "health_insurance",
        "gp_registration",
        "ehic",
        "medical_emergency",
        "care_refused",
    ),
    "housing": (
        "housing_contract",
        "housing_eviction",
        "housing_conditions",
        "housing_costs",
        "emergency_shelter",
    ),
    "work": (
        "labour_committee",
        "wage_problem",
        "report_abuse",
        "work_accident",
        "agency_check",
        *_WORK_AND_INCOME_AT_WORK,
    ),
    "other": ("dutch_course", "desk_info"),
}
TOPIC_INTENTS = frozenset(intent for area in TOPICS.values() for intent in area)

CONVERSATION_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "bot_challenge",
        LANGUAGE_INTENT,
        "out_of_scope",
        "help",
        "voice_message",
        "media_message",
        "forget",
    }
)
SYSTEM_INTENTS = frozenset({SHOW_MORE_INTENT, HANDOFF_INTENT, FALLBACK_INTENT})
# Never a "did you mean" topic, never remembered for "More".
NOT_TOPICS = CONVERSATION_INTENTS | SYSTEM_INTENTS

# Answers that no intent names: the code sends them (bot/turns.py, actions/handoff.py,
# the danger and urgency signals of bot/desk/signals.py).
SYSTEM_ANSWERS = frozenset(
    {
        "fallback",
        "fallback_desk",
        "language_set",
        "forget_done",
        "forget_kept",
        # handing the conversation to a person (bot/desk/handoff.py, actions/handoff.py)
        "handoff_consent",
        "handoff_refused",
        "handoff_description",
        "handoff_contact",
        "handoff_phone",
        "handoff_phone_invalid",
        "case_opened",
        "case_opened_closed",
        "case_closed",
        # danger and urgent situations (bot/desk/signals.py)
        "emergency",
        "urgent_help",
        # 👍/👎 under an answer (bot/turns.py)
        "feedback_thanks",
        "feedback_sorry",
    }
)


def kind_of(intent: str) -> str | None:
    """``"topic"``, ``"conversation"`` or ``"system"``; None for an intent declared nowhere."""
    if intent in TOPIC_INTENTS:
        return "topic"
    if intent in CONVERSATION_INTENTS:
        return "conversation"
    if intent in SYSTEM_INTENTS:
        return "system"
    return None


def area_of(topic: str) -> str | None:
    """The area of a topic intent (the name of its files), None for other intents."""
    return next((area for area, topics in TOPICS.items() if topic in topics), None)


def undeclared(intents: Iterable[str]) -> list[str]:
    """The intents (e.g. of ``domain.yml``) that have no kind here, sorted."""
    return sorted(intent for intent in set(intents) if kind_of(intent) is None)


def payload(intent: str, **entities: str) -> str:
    """What a button sends: ``/intent``, entities as compact JSON after it.

    ``payload("bsn")`` is ``/bsn``; ``payload("change_language", language="pl")`` is
    ``/change_language{"language":"pl"}``. Rasa reads it as the intent with those entities.
    """
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}"


def language_payload(code: str) -> str:
    """What a language button sends."""
    return payload(LANGUAGE_INTENT, **{LANGUAGE_ENTITY: code})


def feedback_payloads(answer_id: str) -> tuple[str, str]:
    """What 👍 and 👎 under an answer send: "yes" / "no" naming the answer."""
    return (
        payload("affirm", **{FEEDBACK_ENTITY: answer_id}),
        payload("deny", **{FEEDBACK_ENTITY: answer_id}),
    )


def is_feedback_payload(sent: str) -> bool:
    """The payload of a 👍/👎 button."""
    return sent.startswith(("/affirm{", "/deny{")) and f'"{FEEDBACK_ENTITY}"' in sent


AFFIRM_PAYLOAD = payload("affirm")
DENY_PAYLOAD = payload("deny")
SHOW_MORE_PAYLOAD = payload(SHOW_MORE_INTENT)
HANDOFF_PAYLOAD = payload(HANDOFF_INTENT)
