"""Typed content: answers, interface texts, amounts and the desk's details, per language.

The desk's details come from ``desk.yml``, which the desk package reads
(``bot.desk.config``); content only declares what it needs of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Protocol


@dataclass(frozen=True)
class Answer:
    """One answer in one language, as an editor wrote it in ``locales/<lang>/*.yml``.

    Attributes:
        id: stable snake_case id, the same in every language (usually the intent's name).
        language: ISO 639-1 code.
        text: the main text, short enough for a phone screen.
        more: optional longer detail behind a "More" button.
        buttons: ids of related answers, shown as follow-up buttons.
        sources: official pages the facts come from.
        reviewed: when an editor last checked the facts.
        help: where to get personal help ("desk"), appended to the text.
        file: where it was written, for messages to editors.
        line: the line of its id in ``file``.

    """

    id: str
    language: str
    text: str
    more: str | None = None
    buttons: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    reviewed: dt.date | None = None
    help: str | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Amount:
    """An amount that answers mention through a placeholder, formatted per language."""

    value: Decimal
    currency: str


@dataclass(frozen=True)
class DeskPoint:
    """One place where the desk receives people."""

    region: str
    place: str
    email: str | None = None


class Schedule(Protocol):
    """When the desk answers handed-over conversations (``bot.desk.hours.OpeningHours``)."""

    def is_open(self, now: dt.datetime) -> bool:
        """True when ``now`` (an aware datetime) falls within the opening hours."""
        ...

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """When the desk opens next after ``now``; None if not within the coming weeks."""
        ...


@dataclass(frozen=True)
class DeskDetails:
    """The information desk that users are referred to and conversations handed to.

    Read from ``desk.yml`` by ``bot.desk.config``; answers show its name, url and points
    (``{desk_name}``, ``{desk_url}``, ``{desk_points}``), the handoff its hours and wait.

    Attributes:
        name: its name.
        url: its official page (shown instead of contact details facts.md does not confirm).
        hours: when it answers handed-over conversations.
        points: where it receives people.
        languages: languages its staff write (ISO 639-1).
        first_response_minutes: how long people usually wait for a first reply while open.

    """

    name: str
    url: str
    hours: Schedule
    points: tuple[DeskPoint, ...] = ()
    languages: tuple[str, ...] = ()
    first_response_minutes: int = 60


@dataclass(frozen=True)
class Catalog:
    """All texts of one language."""

    language: str
    answers: dict[str, Answer] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    canned: dict[str, str] = field(default_factory=dict)  # the desk staff's ready-made replies


@dataclass(frozen=True)
class Content:
    """Everything the assistant says, in every language, validated."""

    catalogs: dict[str, Catalog]
    amounts: dict[str, Amount]
    desk: DeskDetails

    @cached_property
    def answer_ids(self) -> frozenset[str]:
        """Every answer id, in any language (worked out once per loaded content)."""
        return frozenset(a for c in self.catalogs.values() for a in c.answers)

    @cached_property
    def answers_with_more(self) -> frozenset[str]:
        """The ids of answers that have a "More" text in some language."""
        return frozenset(a.id for c in self.catalogs.values() for a in c.answers.values() if a.more)
