"""Signs of danger or of a situation that needs a person, in the user's own words.

Phrases live in ``bot/helpdesk/signals/<lang>.yml`` as regular expressions over the *folded*
message (lower case, no diacritics: "zabrał mi paszport" → "zabral mi paszport"; Bulgarian
"й" → "и"). Bulgarian typed in Latin letters is also matched after conversion to Cyrillic.
All languages are checked for every message: a Polish worker may write in Dutch or English.

Kinds:
    danger: danger to life or health now (violence, threats, suicidal thoughts, a medical
        emergency, being locked in or forced to work) → 112 first, then the desk.
    exploitation: passport taken, unpaid for weeks, debt to the employer, threats.
    no_shelter: no place to sleep tonight, put out of the house today.
    job_loss, housing_loss, no_money: one problem each; two or more at once need a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.i18n.latin_bulgarian import to_cyrillic
from bot.i18n.text import fold

SIGNALS_DIR = Path(__file__).with_name("signals")
KINDS = ("danger", "exploitation", "no_shelter", "job_loss", "housing_loss", "no_money")
URGENT_ALONE = ("exploitation", "no_shelter")
PROBLEMS = ("exploitation", "no_shelter", "job_loss", "housing_loss", "no_money")


class SignalsError(ValueError):
    """A phrase file is broken: the message names the file, the kind and the phrase."""


@dataclass(frozen=True)
class Assessment:
    """What a message shows: the kinds found, and what follows from them."""

    kinds: frozenset[str] = frozenset()

    @property
    def danger(self) -> bool:
        """Danger to life or health: emergency information first."""
        return "danger" in self.kinds

    @property
    def urgent(self) -> bool:
        """Needs a person: exploitation, no shelter, or several problems at once."""
        return (
            self.danger
            or any(kind in self.kinds for kind in URGENT_ALONE)
            or len(self.kinds & set(PROBLEMS)) >= 2
        )


@dataclass(frozen=True)
class Signals:
    """The compiled phrases of every language, per kind."""

    patterns: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    def assess(self, text: str) -> Assessment:
        """The kinds of signal in ``text`` (an empty assessment for ordinary questions)."""
        folded = fold(text)
        variants = {folded, fold(to_cyrillic(folded))}
        found = {
            kind
            for kind, patterns in self.patterns.items()
            if any(p.search(v) for p in patterns for v in variants)
        }
        return Assessment(frozenset(found))


def load_signals(folder: Path = SIGNALS_DIR) -> Signals:
    """Read and compile every language's phrases; SignalsError with file and phrase if broken."""
    patterns: dict[str, list[re.Pattern[str]]] = {kind: [] for kind in KINDS}
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SignalsError(f"{path.name}: must map kinds ({', '.join(KINDS)}) to phrases")
        for kind, phrases in data.items():
            if kind not in KINDS:
                raise SignalsError(f"{path.name}: unknown kind '{kind}'; kinds: {', '.join(KINDS)}")
            patterns[kind] += _compile(path.name, kind, phrases or [])
    return Signals({kind: tuple(found) for kind, found in patterns.items()})


def _compile(file: str, kind: str, phrases: Iterable[object]) -> list[re.Pattern[str]]:
    compiled = []
    for phrase in phrases:
        if not isinstance(phrase, str) or not phrase.strip():
            raise SignalsError(f"{file}: {kind}: empty phrase")
        if phrase != fold(phrase):
            raise SignalsError(f"{file}: {kind}: write '{phrase}' folded: '{fold(phrase)}'")
        try:
            compiled.append(re.compile(phrase))
        except re.error as error:
            message = f"{file}: {kind}: '{phrase}' is not a valid pattern ({error})"
            raise SignalsError(message) from None
    return compiled
