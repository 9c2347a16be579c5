r"""Signs of danger or of a situation that needs a person, in the user's own words.

Phrases live in ``bot/desk/signals/<lang>.yml`` as regular expressions over the *folded*
message (lower case, no diacritics: "zabrał mi paszport" → "zabral mi paszport"; Bulgarian
"й" → "и"). Bulgarian typed in Latin letters is also matched after conversion to Cyrillic.
All languages are checked for every message: a Polish worker may write in Dutch or English.

Kinds:
    danger: danger to life or health now (violence, threats, suicidal thoughts, a medical
        emergency, being locked in or forced to work) → 112 first, then the desk.
    exploitation: passport taken, unpaid for weeks, debt to the employer, threats.
    no_shelter: no place to sleep tonight, put out of the house today.
    sign_today: pressed to sign a termination agreement (or any paper ending the job) today,
        while the 14-day / 3-week right to undo it and the risk for WW are not known.
    job_loss, housing_loss, no_money: one problem each; two or more at once need a person.

Bounded work: ``assess`` reads the first ``MAX_READ`` characters of a message (2,000, as much
as the NLU is given), and every phrase is written so that it reads a bounded stretch from each
word. ``load_signals`` refuses a phrase that is not (the rule is repeated in each file's header):

- ``*``, ``+`` and ``{n,}`` only on one letter-sized thing: ``\w``, ``\d``, ``\s``, a class of
  letters such as ``[a-z]`` or ``[ъау@]``, one character. Not on ``.``, ``[^…]``, a class with
  spaces, ``\S``, ``\W``, ``\D`` or a group: ``.*``, ``.+?``, ``[^.]*``, ``\S+``, ``(…)*``.
- A gap between words is ``.{0,80}``; no repeat goes beyond ``{0,100}`` (``MAX_GAP``).
- A group repeats at most ``{0,5}`` times (``MAX_WORDS``), and a repeated group with ``\w+``
  holds a space: ``(\w+ ){0,2}``, never ``(\w+){0,2}``.
- A whole-message check is tried once, at the start, so it may look across all of it:
  ``^(?=.{0,2000}today)(?!.{0,2000}sick).{0,2000}thrown out`` (``^``, lookaheads that open
  with ``.{0,2000}``, then ``.{0,2000}``; the rest follows the rules above).

A ``.*`` was once tried from every word of ``"owe " * 50000``: 65 s in the action server's one
worker, while every other user waited. tests/unit/test_signal_speed.py times every phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.i18n.latin_bulgarian import to_cyrillic
from bot.i18n.text import MAX_READ, fold

SIGNALS_DIR = Path(__file__).with_name("signals")
KINDS = (
    "danger",
    "exploitation",
    "no_shelter",
    "sign_today",
    "job_loss",
    "housing_loss",
    "no_money",
)
URGENT_ALONE = ("exploitation", "no_shelter", "sign_today")
PROBLEMS = ("exploitation", "no_shelter", "sign_today", "job_loss", "housing_loss", "no_money")
MAX_GAP = 100  # the widest repeat in a phrase: ".{0,80}" between words
MAX_WORDS = 5  # a group repeats at most this often: "(\w+ ){0,2}"


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
        """The kinds of signal in ``text`` (an empty assessment for ordinary questions).

        Only the first ``MAX_READ`` characters are read, also after folding ("ﷺ" folds to 18).
        """
        folded = fold(text[:MAX_READ])[:MAX_READ]
        variants = {folded, fold(to_cyrillic(folded))[:MAX_READ]}
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
        try:
            pattern = re.compile(phrase)
        except re.error as error:
            message = f"{file}: {kind}: '{phrase}' is not a valid pattern ({error})"
            raise SignalsError(message) from None
        problem = unbounded(phrase)  # before folding, which would turn "\S+" into "\s+"
        if problem:
            raise SignalsError(f"{file}: {kind}: '{phrase}' {problem}")
        if phrase != fold(phrase):
            raise SignalsError(f"{file}: {kind}: write '{phrase}' folded: '{fold(phrase)}'")
        compiled.append(pattern)
    return compiled


# Checking that a phrase reads a bounded stretch of text. A phrase (already compiled, so
# valid) is split into pieces: one character, an escape, a class or a group, each with how
# often it repeats.

_NOT_GROUP = r"\(\?(?:P=\w+|#[^)]*|[a-zA-Z]+)\)"  # (?P=name) (?#note) (?i)
_ATOM = re.compile(rf"{_NOT_GROUP}|\\.|\[\^?\]?(?:\\.|[^\]])*\]")  # else one character
_GROUP = re.compile(r"\((?:\?(?:<?[=!]|:|P<\w+>|[a-zA-Z-]+:))?")
_REPEAT = re.compile(r"(?:[*+?]|\{(\d*)(,?)(\d*)\})[?+]?")
_LOOKAHEADS = ("(?=", "(?!")
_SPANS_WORDS = ("\\S", "\\W", "\\D")
_NOT_LETTERS = ("[^", "\\s", " ", *_SPANS_WORDS)


@dataclass
class _Piece:
    """A character, an escape, a class or a group (``branches``), and how often it repeats."""

    text: str
    opener: str = ""
    branches: list[list[_Piece]] = field(default_factory=list)
    low: int = 1
    high: int | None = 1  # None: no upper bound
    repeat: str = ""

    @property
    def written(self) -> str:
        return self.text + self.repeat


def _parse(phrase: str) -> list[list[_Piece]]:
    """The phrase's top-level branches (split on "|"), each a list of pieces."""
    top = _Piece("", branches=[[]])
    open_groups = [(top, 0)]
    at = 0
    while at < len(phrase):
        group, start = open_groups[-1]
        repeat = _REPEAT.match(phrase, at)
        if phrase[at] == "(" and not re.match(_NOT_GROUP, phrase[at:]):
            opener = _matched(_GROUP, phrase, at)
            open_groups.append((_Piece("", opener, [[]]), at))
            at += len(opener)
        elif phrase[at] == ")":
            open_groups.pop()
            group.text = phrase[start : at + 1]
            open_groups[-1][0].branches[-1].append(group)
            at += 1
        elif phrase[at] == "|":
            group.branches.append([])
            at += 1
        elif repeat and repeat.group() != "{}" and group.branches[-1]:
            _set_repeat(group.branches[-1][-1], repeat)
            at = repeat.end()
        else:
            atom = _matched(_ATOM, phrase, at)
            group.branches[-1].append(_Piece(atom))
            at += len(atom)
    return top.branches


def _matched(pattern: re.Pattern[str], phrase: str, at: int) -> str:
    """What ``pattern`` matches at ``at``, else the one character there."""
    found = pattern.match(phrase, at)
    return found.group() if found else phrase[at]


def _set_repeat(piece: _Piece, repeat: re.Match[str]) -> None:
    piece.repeat = repeat.group()
    if piece.repeat[0] == "?":
        piece.low, piece.high = 0, 1
    elif piece.repeat[0] in "*+":
        piece.low, piece.high = int(piece.repeat[0] == "+"), None
    else:
        low, comma, high = repeat.groups()
        piece.low = int(low or 0)
        piece.high = int(high) if high else (None if comma else piece.low)


def _whole_message_windows(branches: list[list[_Piece]]) -> set[int]:
    """The ``.{0,2000}`` windows of a whole-message check: ``^(?=.{0,2000}…).{0,2000}…``."""
    if len(branches) != 1 or not branches[0] or branches[0][0].text != "^":
        return set()
    windows = set()
    for piece in branches[0][1:]:
        if piece.opener not in _LOOKAHEADS:
            windows.add(id(piece))
            break
        windows |= {id(branch[0]) for branch in piece.branches if branch}
    return windows


def _letter_sized(piece: _Piece) -> bool:
    """One letter, digit or space at a time: safe to repeat without a bound."""
    if piece.opener or piece.text == ".":
        return False
    if piece.text.startswith("["):
        return not any(mark in piece.text for mark in _NOT_LETTERS)
    return piece.text not in _SPANS_WORDS  # \w \d \s or one character


def _holds_unbounded(branch: list[_Piece]) -> bool:
    return any(
        p.high is None or _holds_unbounded([q for b in p.branches for q in b]) for p in branch
    )


def _holds_space(branch: list[_Piece]) -> bool:
    return any(p.text in (" ", "\\s") and p.low >= 1 for p in branch)


def _piece_problem(piece: _Piece, windows: set[int]) -> str | None:
    if piece.high is None and not _letter_sized(piece):
        return (
            f"repeats '{piece.written}' without a bound: it would read from every word to the end"
            " of the message. Write a gap between words as '.{0,80}', a few words as '(\\w+ ){0,3}'"
        )
    widest = MAX_READ if id(piece) in windows and piece.text == "." else MAX_GAP
    if piece.high is not None and piece.high > widest:
        return f"repeats '{piece.written}' more than {widest} times: write '.{{0,80}}'"
    if not piece.opener or piece.high is None or piece.high <= 1:
        return None
    if piece.high > MAX_WORDS:
        return f"repeats the group '{piece.written}' more than {MAX_WORDS} times"
    if any(_holds_unbounded(b) and not _holds_space(b) for b in piece.branches):
        return f"repeats '{piece.written}' without a space between the words: write '(\\w+ )'"
    return None


def _problem(branches: list[list[_Piece]], windows: set[int]) -> str | None:
    for piece in (p for branch in branches for p in branch):
        found = _piece_problem(piece, windows) or _problem(piece.branches, windows)
        if found:
            return found
    return None


def unbounded(phrase: str) -> str | None:
    """Why a valid phrase could read without bound from every word (None if it cannot).

    The rules are in the module docstring and in each phrase file's header.
    """
    branches = _parse(phrase)
    return _problem(branches, _whole_message_windows(branches))
