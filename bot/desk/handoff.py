"""The handoff conversation (``handoff_form``): consent, the user's own words, how to reach them.

Plain functions over plain data: which slot the form asks next, given the requested slot and
the user's answer. The Rasa side (``actions/handoff.py``) renders the questions and keeps the
slots; every answer fills or clears the requested slot, so the form never rejects a message
and never hands it to another policy halfway.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.intents import AFFIRM_PAYLOAD, DENY_PAYLOAD

CONSENT = "handoff_consent"
DESCRIPTION = "handoff_description"
CONTACT = "handoff_contact"
PHONE = "handoff_phone"
SLOTS = (CONSENT, DESCRIPTION, CONTACT, PHONE)

YES, NO = AFFIRM_PAYLOAD, DENY_PAYLOAD  # the consent buttons
BY_CHAT, BY_PHONE = "chat", "phone"  # the payloads of the two contact buttons
MAX_DESCRIPTION = 1000
_PHONE_CHARS = re.compile(r"[\s().\-/]")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class FormStep:
    """What one answer does to the form.

    Attributes:
        slots: slot values to set.
        ask: the slot to ask for next; None when the form is done.
        problem: an answer id explaining why the same slot is asked again.

    """

    slots: dict[str, Any] = field(default_factory=dict)
    ask: str | None = None
    problem: str | None = None


def normalize_phone(text: str) -> str | None:
    """A phone number in international form (+48600100200), or None when it is not one.

    Accepts spaces, dashes, dots and brackets; ``00`` for ``+``; a Dutch mobile ``06…``.
    """
    digits = _PHONE_CHARS.sub("", text.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif re.fullmatch(r"06\d{8}", digits):
        digits = "+31" + digits[1:]
    elif digits.isdigit() and len(digits) >= 10:
        digits = "+" + digits
    return digits if _PHONE.match(digits) else None


def next_step(requested: str | None, intent: str | None, text: str) -> FormStep:
    """The form's next step after the user's latest message.

    Args:
        requested: the slot the form asked for (None when the form starts).
        intent: the latest message's intent.
        text: the latest message's text (a button sends its payload).

    """
    text = text.strip()
    if requested is None:  # a fresh start: forget anything of an earlier handoff
        return FormStep(dict.fromkeys(SLOTS), ask=CONSENT)
    answer = _ANSWERS.get(requested)
    if answer is None:
        return FormStep({requested: None}, ask=None)  # not ours: end the form cleanly
    return answer(intent, text)


def _consent(intent: str | None, text: str) -> FormStep:
    if text == YES or intent == "affirm":
        return FormStep({CONSENT: True}, ask=DESCRIPTION)
    if text == NO or intent == "deny":
        return FormStep({CONSENT: False}, ask=None)
    return FormStep({CONSENT: None}, ask=CONSENT)


def _description(intent: str | None, text: str) -> FormStep:
    if len(text) < 2 or text.startswith("/"):
        return FormStep({DESCRIPTION: None}, ask=DESCRIPTION)
    return FormStep({DESCRIPTION: text[:MAX_DESCRIPTION]}, ask=CONTACT)


def _contact(intent: str | None, text: str) -> FormStep:
    phone = normalize_phone(text)
    if phone is not None:
        return FormStep({CONTACT: BY_PHONE, PHONE: phone}, ask=None)
    if text == BY_CHAT:
        return FormStep({CONTACT: BY_CHAT}, ask=None)
    if text == BY_PHONE:
        return FormStep({CONTACT: BY_PHONE}, ask=PHONE)
    return FormStep({CONTACT: None}, ask=CONTACT)


def _phone(intent: str | None, text: str) -> FormStep:
    phone = normalize_phone(text)
    if phone is None:
        return FormStep({PHONE: None}, ask=PHONE, problem="handoff_phone_invalid")
    return FormStep({PHONE: phone}, ask=None)


_ANSWERS: dict[str, Callable[[str | None, str], FormStep]] = {
    CONSENT: _consent,
    DESCRIPTION: _description,
    CONTACT: _contact,
    PHONE: _phone,
}
