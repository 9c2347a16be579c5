"""``make content-check``: validate the answer files and show the translation status.

Exit code 0 when there is no error (warnings, such as facts not reviewed for 6 months, are shown
but do not fail); 1 otherwise. Every problem names the file and line and says what to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.content.loader import LoadResult, load_content
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from bot.settings import PROJECT_ROOT
from bot.wiring import answer_ids_required


def status_table(result: LoadResult, required: set[str]) -> str:
    """One line per language: answers present, missing, and needing review."""
    from bot.content.loader import SYSTEM_ANSWERS

    expected = required | SYSTEM_ANSWERS
    lines = [f"{'language':10} {'answers':>9} {'missing':>8} {'to review':>10}"]
    for language in SUPPORTED_LANGUAGES:
        files = [p for p in result.problems if p.file.startswith(f"locales/{language}/")]
        stale = sum(1 for p in files if p.severity == "warning" and "reviewed" in p.message)
        missing = sum(1 for p in result.problems if f"is missing in '{language}'" in p.message)
        present = len(expected) - missing
        lines.append(f"{language:10} {present:>4}/{len(expected):<4} {missing:>8} {stale:>10}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Check ``locales/`` and ``desk.yml``; print problems and the status table."""
    parser = argparse.ArgumentParser(prog="python -m bot content-check", description=__doc__)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="judge 'reviewed' dates against this day (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    required = answer_ids_required(PROJECT_ROOT)
    result = load_content(PROJECT_ROOT, required, today=args.today)
    out = sys.stdout
    for problem in sorted(result.problems, key=lambda p: (p.file, p.line)):
        out.write(f"{problem}\n")
    out.write(
        "\nTranslation status (missing answers are sent in "
        f"{FALLBACK_LANGUAGE!r}):\n{status_table(result, required)}\n"
    )
    errors, warnings = len(result.errors), len(result.warnings)
    out.write(f"\n{errors} error(s), {warnings} warning(s)\n")
    return 1 if errors else 0
