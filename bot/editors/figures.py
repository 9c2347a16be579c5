"""The editors' figures since a day: one dictionary for the console and for the report.

- ``not_understood``: groups of similar not-understood messages (``bot/editors/grouping.py``),
  masked texts of conversations still within their retention period;
- ``answers``: per topic answer and language — how often given, 👍/👎, how often the next
  message asked for a person or was not understood, when its facts were reviewed (overdue
  first, the content check's 6-month rule) and whether the language lacks it;
- ``topics_at_desk``: cases per topic (the last one shown before the handoff) and outcome;
- ``per_day``: not-understood messages per day and language, from the daily counts, so they
  reach back beyond the retention period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa

from bot.content.answers import STALE_AFTER
from bot.content.model import Content
from bot.desk.store import CASES
from bot.editors import store as daily
from bot.editors.grouping import Embed, embed, group
from bot.editors.store import EditorStore, day_start
from bot.i18n.languages import SUPPORTED_LANGUAGES
from bot.intents import TOPIC_INTENTS
from bot.storage import has_table

ANSWER_FIGURES = (
    daily.GIVEN,
    daily.HELPFUL,
    daily.NOT_HELPFUL,
    daily.THEN_PERSON,
    daily.THEN_NOT_UNDERSTOOD,
)
NO_TOPIC = "-"  # a case opened before any topic was answered


def collect(
    store: EditorStore,
    content: Content,
    since: str,
    today: dt.date,
    ids: list[int] | None = None,
    embed: Embed = embed,
) -> dict[str, Any]:
    """Every figure since the day ``since`` (``2026-12-01``), as plain JSON-ready data."""
    counts = store.counts(since)
    messages = store.unanswered(day_start(since), ids)
    return {
        "since": since,
        "not_understood": [g.as_dict() for g in group(messages, embed)],
        "answers": answers(counts, content, today),
        "topics_at_desk": topics_at_desk(store.engine, day_start(since)),
        "per_day": per_day(counts),
    }


def answers(counts: list[daily.Count], content: Content, today: dt.date) -> list[dict[str, Any]]:
    """One row per topic answer and language, overdue reviews first, then the most given."""
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for count in counts:
        if count.figure in ANSWER_FIGURES:
            totals[count.key, count.language][count.figure] += count.count
    topics = sorted(TOPIC_INTENTS & content.answer_ids)
    rows = []
    for answer_id in topics:
        for language in SUPPORTED_LANGUAGES:
            catalog = content.catalogs.get(language)
            answer = catalog.answers.get(answer_id) if catalog else None
            reviewed = answer.reviewed if answer else None
            given = totals[answer_id, language]
            rows.append(
                {
                    "id": answer_id,
                    "language": language,
                    **{figure: given[figure] for figure in ANSWER_FIGURES},
                    "reviewed": reviewed.isoformat() if reviewed else None,
                    "overdue": reviewed is not None and today - reviewed > STALE_AFTER,
                    "missing": answer is None,
                }
            )
    return sorted(
        rows,
        key=lambda r: (not r["overdue"], not r["missing"], -r[daily.GIVEN], r["id"]),
    )


def topics_at_desk(engine: sa.engine.Engine, since: float) -> list[dict[str, Any]]:
    """Cases opened since ``since`` per topic and outcome ("open" while not closed)."""
    query = sa.select(CASES.c.topics, CASES.c.status, CASES.c.outcome).where(
        CASES.c.created_at >= since
    )
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    with engine.connect() as db:
        found = db.execute(query) if has_table(db, CASES.name) else []
        for row in found:
            shown = [t for t in _topics(row.topics) if t in TOPIC_INTENTS]
            outcome = row.outcome if row.status == "closed" else "open"
            outcomes[shown[-1] if shown else NO_TOPIC][outcome or "open"] += 1
    rows = [
        {"topic": topic, "cases": sum(counted.values()), "outcomes": dict(counted)}
        for topic, counted in outcomes.items()
    ]
    return sorted(rows, key=lambda r: (-r["cases"], r["topic"]))


def _topics(stored: str | None) -> list[str]:
    try:
        found = json.loads(stored or "[]")
    except ValueError:
        return []
    return [str(t) for t in found] if isinstance(found, list) else []


def per_day(counts: list[daily.Count]) -> list[dict[str, Any]]:
    """Not-understood messages per day and language (every kind together)."""
    days: Counter[tuple[str, str]] = Counter()
    for count in counts:
        if count.figure == daily.NOT_UNDERSTOOD:
            days[count.day, count.language] += count.count
    return [
        {"day": day, "language": language, "not_understood": n}
        for (day, language), n in sorted(days.items())
    ]
