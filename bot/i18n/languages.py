"""The languages Wegwijs speaks, their names, and how a conversation's language is chosen.

The conversation's language is chosen in this order:

1. the user's explicit choice (a language button, ``/language``, "po polsku prosze");
2. a reliable detection of the text; once set, only a *strong* detection switches it, so
   one "ok", "BSN" or emoji never flips the conversation;
3. the channel's hint (Telegram's ``language_code``, the browser's language), negotiated
   with Babel so that ``nl-BE`` becomes ``nl``;
4. English.

Only 1 and 2 are remembered (the ``language`` slot); 3 and 4 are used for the reply without
being remembered, so a later reliable detection still decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from bot.i18n.text import fold

# The one list of the languages Wegwijs speaks (ISO 639-1), in the order of the language
# buttons; everything else imports it. Adding one: CONTRIBUTING.md, "Adding a language"
# (tests/unit/test_completeness.py says what is still missing).
SUPPORTED_LANGUAGES: tuple[str, ...] = ("pl", "ro", "bg", "nl", "en")
FALLBACK_LANGUAGE = "en"  # what users get when a text is missing in their language


@dataclass(frozen=True)
class Detection:
    """What the detector found in one message.

    Attributes:
        code: ISO 639-1 code of the most likely language.
        confidence: the detector's confidence, 0 to 1.
        reliable: long and clear enough to set the language of a new conversation.
        strong: clear enough to switch the language of an ongoing conversation.

    """

    code: str
    confidence: float
    reliable: bool
    strong: bool

    def as_dict(self) -> dict[str, object]:
        """The detection as it travels in Rasa's parse data."""
        return {
            "code": self.code,
            "confidence": round(self.confidence, 3),
            "reliable": self.reliable,
            "strong": self.strong,
        }

    @classmethod
    def from_dict(cls, data: object) -> Detection | None:
        """Read a detection back from parse data; ``None`` for anything malformed."""
        if not isinstance(data, dict) or data.get("code") not in SUPPORTED_LANGUAGES:
            return None
        try:
            return cls(
                code=str(data["code"]),
                confidence=float(data.get("confidence", 0.0)),
                reliable=bool(data.get("reliable", False)),
                strong=bool(data.get("strong", False)),
            )
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class LanguageChoice:
    """The language to answer in, and whether to remember it for the conversation."""

    code: str
    remember: bool
    reason: str


def negotiate(hint: str | None) -> str | None:
    """Map a channel's locale code (``nl-BE``, ``pl_PL``, ``ro``) to a supported language."""
    if not hint or not isinstance(hint, str) or len(hint) > 35:
        return None
    cleaned = hint.strip().replace("_", "-")
    negotiated = Locale.negotiate([cleaned], list(SUPPORTED_LANGUAGES), sep="-")
    return str(negotiated.language) if negotiated else None


def choose_language(
    current: str | None,
    detection: Detection | None,
    hint: str | None = None,
    explicit: str | None = None,
) -> LanguageChoice:
    """Decide the language of the reply.

    Args:
        current: the conversation's remembered language (the ``language`` slot), if any.
        detection: what the detector found in the latest message, if anything.
        hint: the channel's locale hint, e.g. Telegram's ``language_code``.
        explicit: a language the user explicitly asked for.

    Returns:
        The language to answer in, and whether it becomes the conversation's language.

    """
    if explicit in SUPPORTED_LANGUAGES:
        return LanguageChoice(explicit, remember=True, reason="explicit")
    if current not in SUPPORTED_LANGUAGES:
        current = None
    if detection is not None and detection.reliable:
        if current is None:
            return LanguageChoice(detection.code, remember=True, reason="detected")
        if detection.code != current and detection.strong:
            return LanguageChoice(detection.code, remember=True, reason="switched")
    if current is not None:
        return LanguageChoice(current, remember=False, reason="sticky")
    negotiated = negotiate(hint)
    if negotiated is not None:
        return LanguageChoice(negotiated, remember=False, reason="hint")
    return LanguageChoice(FALLBACK_LANGUAGE, remember=False, reason="default")


@cache
def native_name(code: str) -> str:
    """The language's name in its own language and script, e.g. ``български``."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


# Words people use to name a language, beyond Babel's display names: adverbs ("po polsku"),
# adjectives in other cases, Latin-letter Bulgarian. Folded (no diacritics, lowercase).
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "pl": (
        "polsku",
        "polski",
        "polskim",
        "polish",
        "poolse",
        "pools",
        "polona",
        "polski ezik",
        "polonez",
        "polsko",
        "полски",
    ),
    "ro": (
        "rumunsku",
        "rumunski",
        "romanian",
        "roemeens",
        "romaneste",
        "romana",
        "romaneste",
        "rumanski",
        "rumanski ezik",
        "румънски",
        "rumuński",
    ),
    "bg": (
        "bulgarsku",
        "bulgarski",
        "bulgarian",
        "bulgaars",
        "bulgara",
        "bulgareste",
        "balgarski",
        "bylgarski",
        "blgarski",
        "български",
        "bulgarian language",
    ),
    "nl": (
        "niderlandzku",
        "niderlandzki",
        "holendersku",
        "holenderski",
        "dutch",
        "nederlands",
        "olandeza",
        "neerlandeza",
        "niderlandski",
        "holandski",
        "nederlandse",
        "vlaams",
        "нидерландски",
        "холандски",
    ),
    "en": (
        "angielsku",
        "angielski",
        "english",
        "engels",
        "engelse",
        "engleza",
        "angliiski",
        "angliyski",
        "английски",
        "english please",
    ),
}


@cache
def _language_name_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    patterns = []
    for code in SUPPORTED_LANGUAGES:
        names = {
            fold(Locale.parse(code).get_display_name(other) or "") for other in SUPPORTED_LANGUAGES
        }
        names.update(fold(name) for name in EXTRA_NAMES.get(code, ()))
        names.discard("")
        alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
        patterns.append((code, re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")))
    return tuple(patterns)


def language_named_in(text: str) -> str | None:
    """The one supported language that ``text`` names ("po polsku", "in romana"), else None."""
    folded = fold(text)
    found = {code for code, pattern in _language_name_patterns() if pattern.search(folded)}
    return found.pop() if len(found) == 1 else None
