"""Recognise Bulgarian typed in Latin letters ("kak da si izvadya bsn").

General-purpose detectors, lingua included, know Bulgarian only in Cyrillic. Bulgarians often
type in Latin letters ("shlyokavitsa"), with ``sht`` for щ, ``zh`` or ``j`` for ж, ``ya``/``q``
for я, ``4`` for ч and ``6`` for ш. This detector counts words that are common in Bulgarian and
rare in Polish, Romanian, Dutch and English, against words that mark those languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.i18n.markers import ALL_FUNCTION_WORDS

LEXICON = Path(__file__).with_name("latin_bulgarian_words.txt")

# Frequent Bulgarian words in the ways people transliterate them; the generated lexicon
# (scripts/build_latin_bulgarian_lexicon.py) adds the words of our Bulgarian training data.
# Deliberately left out: short words shared with Polish or Romanian ("na", "za", "po", "ne",
# "da", "i", "si", "mi").
_BULGARIAN = frozenset(
    """
    6te adresa agenciq agenciqta agenciya agenciyata ako az balgarski blagodaria blagodarq
    blagodarya bolen bolna bolnica bolnicata bulgarski dnes dobar dobur dobyr dogovor dogovora
    dokumenti dokumentite ezik ezika firmata gi holandski i6 ili ima imam imame imash iskaha
    iskam iskame iskat izgoniha izgonqt izgonyat izvadia izvadq izvadya kade kaje kak kakav
    kakuv kakva kakvo kakyv kashta kashtata kaza kazaha kazhe kazvat koeto koga kogato kogo koi
    koito koq koya kude kvartira kvartirata kyde lekar lekarq lekarya li lichna lichnata malko
    menya mersi mnogo moga moje mojem molia molq molya mozhe mozhem mozhesh mu napravya
    napusnem nauchya neshto niama niamam niderlandski nikoi nishto nqkoi nqma nqmam nyakoi
    nyama nyamam obache obshtina obshtinata onova oshte osigurovka osiguryavane parichki parite
    pasport pasporta plashta plashtat platen platiha platil poluchavam poluchih poluchil
    poluchila pomogne pomognete pomosht pravq pravya rabota raboti rabotia rabotodatel
    rabotodatelya rabotq rabotya ranen ranena sega shefa shefat shta shte shtom sledva sme
    staqta stayata ste sum sym tazi toi tova tozi tq travma triabva trqbva tryabva tuk tya ucha
    uchi utre vchera veche vi vseki vsichko vzeha vzeli vzema vzemem zaplashva zaplashvat
    zaplata zaplatata zaplati zashto zashto4e zashtoto zasto zdr zdrasti zdravei zdraveite
    zdravna zlopoluka
    """.split()
)

# Words that mark the languages Latin-letter Bulgarian is most often confused with.
_OTHERS = ALL_FUNCTION_WORDS

_WORD = re.compile(r"[a-z0-9']+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_TRANSLIT_MARKS = re.compile(r"(sht|zh|yu|ya\b|q[aeiou]?\b|\b[46][a-z]|[a-z][46][a-z])")


@cache
def bulgarian_words() -> frozenset[str]:
    """The hand-picked words plus the generated lexicon (read once, on first use)."""
    generated = (
        {
            line.strip()
            for line in LEXICON.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }
        if LEXICON.exists()
        else set()
    )
    return _BULGARIAN | (generated - _OTHERS)


@dataclass(frozen=True)
class LatinBulgarianScore:
    """How Bulgarian a Latin-letter text looks."""

    bulgarian_words: int
    other_words: int
    words: int

    @property
    def confidence(self) -> float:
        """Share of the marked words that are Bulgarian, damped for short texts."""
        marked = self.bulgarian_words + self.other_words
        if marked == 0:
            return 0.0
        damping = min(1.0, self.bulgarian_words / 2)
        return round(self.bulgarian_words / marked * damping, 3)


def score(text: str) -> LatinBulgarianScore:
    """Count Bulgarian and non-Bulgarian marker words in a Latin-letter text."""
    lowered = text.casefold()
    if _CYRILLIC.search(lowered):
        return LatinBulgarianScore(0, 0, 0)
    words = _WORD.findall(lowered)
    lexicon = bulgarian_words()
    bulgarian = sum(1 for w in words if w in lexicon)
    bulgarian += len(_TRANSLIT_MARKS.findall(" ".join(w for w in words if w not in lexicon)))
    others = sum(1 for w in words if w in _OTHERS)
    return LatinBulgarianScore(bulgarian, others, len(words))


def looks_bulgarian(text: str, threshold: float = 0.6) -> bool:
    """True when ``text`` is most likely Bulgarian in Latin letters."""
    return score(text).confidence >= threshold


# Latin → Cyrillic, longest spellings first. Ambiguous letters take their most frequent
# reading ("u" is у, though people also write it for ъ); good enough for a reader that has seen
# a lot of Bulgarian, such as the sentence embedding.
_TO_CYRILLIC = (
    ("sht", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("iu", "ю"),
    ("ya", "я"),
    ("ia", "я"),
    ("yo", "йо"),
    ("6", "ш"),
    ("4", "ч"),
    ("q", "я"),
    ("w", "в"),
    ("j", "ж"),
    ("y", "ъ"),
    ("x", "х"),
    ("h", "х"),
    ("c", "ц"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
)
_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*|[46][a-z][a-z0-9']*", re.IGNORECASE)


def _word_to_cyrillic(word: str) -> str:
    lowered, out, i = word.casefold(), [], 0
    while i < len(lowered):
        for latin, cyrillic in _TO_CYRILLIC:
            if lowered.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(lowered[i])
            i += 1
    return "".join(out)


def to_cyrillic(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Bulgarian typed in Latin letters, in Cyrillic ("kak da vzema bsn" → "как да взема bsn").

    Words in ``keep`` (e.g. Dutch terms like "bsn", "gemeente") stay as they are.
    """
    return _LATIN_WORD.sub(
        lambda m: m.group(0) if m.group(0).casefold() in keep else _word_to_cyrillic(m.group(0)),
        text,
    )
