"""``python -m bot report``: the editors' figures without the console (``make report``).

Prints what the editors' view shows — groups of not-understood messages, how each answer
does, the topics that end at the desk — and writes a chart (PNG) of not-understood messages
per day and language. ``--json`` prints one JSON object instead (the same as the console's
``GET /webhooks/desk/api/editors``), for scripts. Reads the database of
``WEGWIJS_DATABASE_URL`` (by default the one ``make run`` uses).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

from bot import storage
from bot.desk.hours import DESK_ZONE
from bot.editors import figures
from bot.editors.store import EditorStore
from bot.i18n.languages import SUPPORTED_LANGUAGES
from bot.settings import PROJECT_ROOT, Settings, SettingsError

logger = logging.getLogger(__name__)

CHART = PROJECT_ROOT / "results" / "not-understood.png"
DEFAULT_DAYS = 30


def main(argv: list[str] | None = None) -> int:
    """Print the report; 0, or 2 for a wrong argument or setting."""
    parser = argparse.ArgumentParser(prog="python -m bot report", description=__doc__)
    parser.add_argument(
        "--since",
        type=dt.date.fromisoformat,
        help=f"first day (2026-12-01); default {DEFAULT_DAYS} days ago",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    parser.add_argument("--chart", type=Path, default=CHART, help=f"the PNG (default {CHART})")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logger.error("%s", error)
        return 2
    today = dt.datetime.now(DESK_ZONE).date()
    since = (args.since or today - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    from bot.wiring import content_store

    store = EditorStore(storage.engine(settings.database_url))
    found = figures.collect(store, content_store().get(), since, today)
    chart(found["per_day"], dt.date.fromisoformat(since), today, args.chart)
    if args.json:
        json.dump(found, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(found, sys.stdout)
    logger.info("Chart of not-understood messages per day: %s", args.chart)
    return 0


def write_text(found: dict[str, Any], out: TextIO) -> None:
    """The figures as plain text for a terminal."""
    groups = found["not_understood"]
    total = sum(group["count"] for group in groups)
    out.write(f"Editors' report since {found['since']}\n\n")
    out.write(f"Not understood: {total} messages in {len(groups)} groups\n")
    for group in groups:
        out.write(
            f"  {group['count']:>3}×  {', '.join(group['languages'])}"
            f"  guess: {group['guess'] or '-'}  {group['first']} … {group['last']}\n"
        )
        for example in group["examples"]:
            out.write(f"         “{example}”\n")
    out.write("\nAnswers: given, 👍, 👎, then a person, then not understood, reviewed\n")
    for row in found["answers"]:
        if not (row["given"] or row["helpful"] or row["not_helpful"]) and not (
            row["overdue"] or row["missing"]
        ):
            continue
        flags = " OVERDUE" if row["overdue"] else ""
        flags += " MISSING TRANSLATION" if row["missing"] else ""
        out.write(
            f"  {row['id']:<22} {row['language']}  {row['given']:>5} {row['helpful']:>4}"
            f" {row['not_helpful']:>4} {row['then_person']:>4} {row['then_not_understood']:>4}"
            f"  {row['reviewed'] or '-'}{flags}\n"
        )
    out.write("\nTopics at the desk (cases by outcome)\n")
    for row in found["topics_at_desk"]:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row["outcomes"].items()))
        out.write(f"  {row['topic']:<22} {row['cases']:>4}  {outcomes}\n")
    if not found["topics_at_desk"]:
        out.write("  none\n")


def chart(per_day: list[dict[str, Any]], since: dt.date, today: dt.date, path: Path) -> None:
    """A PNG: not-understood messages per day, one line per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [since + dt.timedelta(days=n) for n in range((today - since).days + 1)]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in per_day:
        counts[row["language"]][row["day"]] = row["not_understood"]
    figure, axes = plt.subplots(figsize=(9, 4), dpi=100)
    for language in SUPPORTED_LANGUAGES:
        values = [counts[language].get(day.isoformat(), 0) for day in days]
        axes.plot(days, values, marker="o", markersize=3, label=language)
    axes.set_title(f"Not understood per day and language, {since} – {today}")
    axes.set_ylabel("messages")
    axes.legend(ncol=len(SUPPORTED_LANGUAGES), loc="upper left")
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, bbox_inches="tight")
    plt.close(figure)
