"""Detect the language of a user's message.

Lingua, restricted to our five languages, does the work for Cyrillic and the Latin-script
languages; a small detector of our own recognises Bulgarian typed in Latin letters, which lingua
cannot. Dutch words that everyone uses whatever their language (BSN, huisarts, gemeente ...) are
removed first: "nie mam zorgverzekering co robic" is Polish, not Dutch.

The lingua model is built on first use, not at import time, and shared by the process.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING

from bot.i18n import latin_bulgarian, markers
from bot.i18n.languages import SUPPORTED_LANGUAGES, Detection

if TYPE_CHECKING:
    from lingua import LanguageDetector

logger = logging.getLogger(__name__)

# Below these, a detection does not decide anything.
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.6
# An ongoing conversation switches language only on a longer, clearer message.
SWITCH_MIN_WORDS = 4
SWITCH_CONFIDENCE = 0.85
# Only the start of a very long message is looked at: detection time grows with length.
MAX_TEXT_CHARS = 2000

# Dutch terms that migrants use inside sentences of their own language. Lowercase.
DUTCH_LOANWORDS = frozenset(
    """
    bsn burgerservicenummer sofinummer digid gemeente gemeentehuis brp rni huisarts
    huisartsenpost zorgverzekering zorgverzekeraar zorgtoeslag toeslag toeslagen eigen risico
    uitzendbureau uitzendbureaus loonstrook loonstroken werkgever huurcontract huurcommissie
    kantonrechter juridisch loket arbeidsinspectie belastingdienst cak svb uwv ehic nza
    stadskantoor taalhuis vakantiegeld huurtoeslag verhuurder meldpunt inschrijving
    uitschrijven verhuizing deurwaarder cao snf akf fnv
    ontslag ontslagen vaststellingsovereenkomst vso transitievergoeding opzegtermijn
    uitzendbeding proeftijd nulurencontract oproepcontract ziekmelding ziekgemeld bedrijfsarts
    arbodienst ziektewet wachtdagen ww werkloosheidsuitkering werkmap loonheffing
    loonheffingskorting reservering reserveringen inhouding inhoudingen huisvesting jaaropgaaf
    aangifte belastingaangifte biljet pensioen stipp aow sncu opvang nachtopvang daklozenopvang
    """.split()
)

_WORD = re.compile(r"\w+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


def _lingua() -> LanguageDetector:
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
                _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
                logger.debug("Language detector ready for %s", ", ".join(SUPPORTED_LANGUAGES))
    return _detector


def strip_dutch_terms(text: str) -> str:
    """Remove the Dutch administrative terms that people mix into any language."""
    return " ".join(w for w in _WORD.findall(text) if w.casefold() not in DUTCH_LOANWORDS)


def detect(text: str) -> Detection | None:
    """Detect the language of ``text``.

    Returns:
        The most likely language with its confidence and whether it is reliable enough to
        set (or strong enough to switch) a conversation's language; ``None`` when the text has
        too few letters to say anything (an emoji, "ok?", "BSN").

    """
    if not isinstance(text, str):
        return None
    own_words = strip_dutch_terms(text[:MAX_TEXT_CHARS])
    letters = len(_LETTER.findall(own_words))
    words = len(own_words.split())
    if letters < 2:
        return None

    bg_latin = latin_bulgarian.score(own_words)
    if bg_latin.confidence >= 0.6:
        code, confidence = "bg", bg_latin.confidence
    else:
        values = _lingua().compute_language_confidence_values(own_words)
        if not values:
            return None
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        confidence = float(best.value)
        if confidence < MIN_CONFIDENCE:
            # Too little text for statistics: let unmistakable short words decide.
            voted = markers.vote([w.casefold() for w in own_words.split()])
            if voted is not None and voted[1] >= 2:
                code, confidence = voted[0], MIN_CONFIDENCE
    reliable = letters >= MIN_LETTERS and confidence >= MIN_CONFIDENCE
    strong = reliable and words >= SWITCH_MIN_WORDS and confidence >= SWITCH_CONFIDENCE
    return Detection(code=code, confidence=confidence, reliable=reliable, strong=strong)


def readable(text: str) -> str:
    """The text as the embedding model reads it best: Latin-letter Bulgarian in Cyrillic.

    The model learnt Bulgarian from Cyrillic text; "nqmam zaplata" means little to it,
    "нямам заплата" a lot. Dutch terms ("bsn", "gemeente") are kept as written.
    """
    if latin_bulgarian.looks_bulgarian(text):
        return latin_bulgarian.to_cyrillic(text, keep=DUTCH_LOANWORDS)
    return text
