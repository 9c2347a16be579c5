"""Which answer, in which language, a reply text is."""

from __future__ import annotations

from typing import Any

from tests.conftest import LANGUAGES


def _opening(text: str) -> str:
    return text.splitlines()[0].split("{")[0]


def reply_language(content: Any, text: str) -> str | None:
    """The language whose answer text opens the reply."""
    for language in LANGUAGES:
        for answer in content.catalogs[language].answers.values():
            opening = _opening(answer.text)
            if opening and text.startswith(opening):
                return language
    return None


def reply_answer(content: Any, language: str, text: str) -> str | None:
    """The id of the answer in ``language`` whose first line opens the reply (the longest)."""
    found = [
        (len(_opening(a.text)), a.id)
        for a in content.catalogs[language].answers.values()
        if text.startswith(_opening(a.text))
    ]
    return max(found)[1] if found else None
