"""Mask what identifies a person before a message is kept for the editors.

Editors need the words people use ("nie dostałem wypłaty za październik"), never who wrote
them. Before a not-understood message is stored for the editors' view, this module replaces:

- e-mail addresses → ``[e-mail]``;
- IBANs → ``[IBAN]``;
- BSNs (9 digits that pass the BSN's eleven test, spaces or dots allowed) → ``[BSN]``;
- phone numbers (8 or more digits, with ``+``, spaces, dots, dashes or brackets) → ``[phone]``;
- names the assistant can spot: a name after "my name is", "mam na imię", "numele meu este",
  "казвам се", "ik heet" and the like, in the five languages → ``[name]``.

Names elsewhere in a sentence cannot be told from the names of towns, agencies or laws
without a named-entity model, which the assistant does not have; this is why texts are kept
only for the conversation's retention period and shown only to editors.
"""

from __future__ import annotations

import re

EMAIL = "[e-mail]"
IBAN = "[IBAN]"
BSN = "[BSN]"
PHONE = "[phone]"
NAME = "[name]"

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?:\s[A-Z0-9]{4}){2,7}(?:\s[A-Z0-9]{1,3})?)\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})")
# a run of digits with the separators people type in numbers; checked further below
_NUMBER = re.compile(r"\+?\(?\d(?:[\d\s().\-/]{0,24}\d)?")
_INTRODUCTIONS = (
    # en
    r"my name is",
    r"my name's",
    r"i am called",
    # pl
    r"mam na imi[eę]",
    r"nazywam si[eę]",
    r"moje nazwisko to",
    # ro
    r"numele meu (?:este|e)",
    r"m[aă] numesc",
    r"m[aă] cheam[aă]",
    # bg, Cyrillic and Latin letters
    r"казвам се",
    r"името ми е",
    r"kazvam se",
    r"imeto mi e",
    # nl
    r"ik heet",
    r"mijn naam is",
    r"mijn naam:",
)
# One or two capitalised words (any alphabet) after an introduction; a lower-case name too,
# because phone messages often have no capitals, but then only one word.
_CAPITAL = r"[A-ZÀ-ÖØ-ÞĀĂĄĆČĎĘĚŁŃŇŐŘŚŞŠŢŤŮŰŹŻŽȘȚА-ЯЁ]"
_NAME_AFTER = re.compile(
    r"(?P<intro>\b(?i:" + "|".join(_INTRODUCTIONS) + r"))\s*:?\s+"
    rf"(?P<name>{_CAPITAL}[\w'-]*(?:\s+(?:(?:van|de|der|den|von|da|di)\s+)*{_CAPITAL}[\w'-]*)?|[^\W\d_]+)"
)


def _bsn_valid(digits: str) -> bool:
    """The BSN's eleven test: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is divisible by 11."""
    if len(digits) != 9 or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _iban(match: re.Match[str]) -> str:
    return IBAN if sum(c.isdigit() for c in match.group(0)) >= 10 else match.group(0)


def _number(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE.fullmatch(found.strip()):
        return found
    digits = re.sub(r"\D", "", found)
    if _bsn_valid(digits):
        return BSN
    if len(digits) >= 8:
        return PHONE
    return found  # an amount, a date, a house number: kept


def _name(match: re.Match[str]) -> str:
    return match.group(0)[: match.start("name") - match.start()] + NAME


def mask(text: str) -> str:
    """``text`` with e-mail addresses, IBANs, BSNs, phone numbers and introduced names masked."""
    masked = _EMAIL.sub(EMAIL, text)
    masked = _IBAN.sub(_iban, masked)
    masked = _NUMBER.sub(_number, masked)
    return _NAME_AFTER.sub(_name, masked)
