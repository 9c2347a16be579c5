"""The desk's opening hours (``desk.yml``): open now? when next? Plain data, no I/O.

Times are written in the desk's time zone (Europe/Amsterdam) and computed from an aware
``datetime``, so summer and winter time need no care from editors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DESK_ZONE = ZoneInfo("Europe/Amsterdam")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
LOOKAHEAD_DAYS = 60  # a closed period longer than this is a configuration mistake


@dataclass(frozen=True)
class OpeningHours:
    """When the desk answers: time spans per weekday, and dates it is closed.

    Attributes:
        spans: per weekday (0 = Monday) the (start, end) times it is open.
        closed: dates it is closed all day (holidays).
        zone: the desk's time zone.

    """

    spans: dict[int, tuple[tuple[dt.time, dt.time], ...]] = field(default_factory=dict)
    closed: frozenset[dt.date] = frozenset()
    zone: ZoneInfo = DESK_ZONE

    def is_open(self, now: dt.datetime) -> bool:
        """True when ``now`` (an aware datetime) falls within the opening hours."""
        local = now.astimezone(self.zone)
        if local.date() in self.closed:
            return False
        clock = local.time().replace(tzinfo=None)
        return any(start <= clock < end for start, end in self.spans.get(local.weekday(), ()))

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """When the desk opens next after ``now`` (None if it never opens within 60 days)."""
        for start, _ in self._periods(now):
            if start > now:
                return start
        return None

    def _periods(self, now: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        today = now.astimezone(self.zone).date()
        for offset in range(LOOKAHEAD_DAYS):
            day = today + dt.timedelta(days=offset)
            if day in self.closed:
                continue
            for start, end in self.spans.get(day.weekday(), ()):
                yield (
                    dt.datetime.combine(day, start, tzinfo=self.zone),
                    dt.datetime.combine(day, end, tzinfo=self.zone),
                )


def parse_hours(hours: Any, closed: Any) -> tuple[OpeningHours, list[tuple[tuple[Any, ...], str]]]:
    """Opening hours from ``desk.yml``'s ``hours`` and ``closed``; problems as (path, message).

    ``hours`` maps weekdays to ``"09:00-17:00"`` (several spans: ``"09:00-12:00, 13:00-17:00"``;
    a day left out or ``closed`` is closed). ``closed`` lists dates (``2026-12-25``).
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    spans: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    if not isinstance(hours, dict):
        problems.append((("hours",), "'hours' must list weekdays, e.g. monday: \"09:00-17:00\""))
        hours = {}
    for day, value in hours.items():
        if str(day).lower() not in WEEKDAYS:
            problems.append((("hours", day), f"'{day}' is not a weekday (monday … sunday)"))
            continue
        if value in (None, "closed", ""):
            continue
        found = []
        for part in str(value).split(","):
            match = _SPAN.match(part.strip())
            start = dt.time(int(match[1]), int(match[2])) if match else None
            end = dt.time(int(match[3]), int(match[4])) if match else None
            if start is None or end is None or start >= end:
                problems.append(
                    (("hours", day), f"'{part.strip()}' is not a time span like 09:00-17:00")
                )
                continue
            found.append((start, end))
        spans[WEEKDAYS.index(str(day).lower())] = tuple(sorted(found))
    dates = set()
    for index, value in enumerate(closed or []):
        if isinstance(value, dt.date):
            dates.add(value)
        else:
            problems.append((("closed", index), f"'{value}' is not a date like 2026-12-25"))
    return OpeningHours(spans, frozenset(dates)), problems
