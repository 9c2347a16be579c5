"""Placeholders in answers (``{minimum_wage_2026}``, ``{desk_points}``) and what they show."""

from __future__ import annotations

import string

from bot.content.amounts import amount_values
from bot.content.model import Content, DeskDetails

DESK_PLACEHOLDERS = frozenset({"desk_name", "desk_url", "desk_points"})
# Filled in by the conversation (the handoff), with the longest values they can take, so that
# the length checks hold: the place in the queue, the usual waiting time, when the desk opens.
RUNTIME_PLACEHOLDERS = {
    "place": "123",
    "wait": "1 hour 30 minutes",
    "opens": "Wednesday 30 September 2026, 09:00",
}


def names_in(text: str) -> set[str]:
    """The ``{names}`` used in ``text``; raises ValueError on unbalanced braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def desk_values(desk: DeskDetails | None) -> dict[str, str]:
    """What the desk's placeholders show (empty while ``desk.yml`` is unusable)."""
    if desk is None:
        return dict.fromkeys(DESK_PLACEHOLDERS, "")
    return {
        "desk_name": desk.name,
        "desk_url": desk.url,
        "desk_points": "\n".join(
            f"• {p.region}: {p.place}" + (f" ({p.email})" if p.email else "") for p in desk.points
        ),
    }


def placeholder_values(content: Content, language: str) -> dict[str, str]:
    """What every placeholder shows in ``language``."""
    return {**amount_values(content.amounts, language), **desk_values(content.desk)}
