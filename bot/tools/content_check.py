"""``make content-check``: validate the answer files and show the translation status.

Exit code 0 when there is no error (warnings, such as facts not reviewed for 6 months, are shown
but do not fail); 1 otherwise. Every problem names the file and line and says what to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot import messenger_limits
from bot.content.loader import LoadResult
from bot.content.model import Content
from bot.content.placeholders import RUNTIME_PLACEHOLDERS
from bot.content.render import render
from bot.content.yamlfile import Problem
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from bot.intents import SYSTEM_ANSWERS
from bot.wiring import content_store


def status_table(result: LoadResult, required: set[str]) -> str:
    """One line per language: answers present, missing, and needing review."""
    expected = required | SYSTEM_ANSWERS
    lines = [f"{'language':10} {'answers':>9} {'missing':>8} {'to review':>10}"]
    for language in SUPPORTED_LANGUAGES:
        files = [p for p in result.problems if p.file.startswith(f"locales/{language}/")]
        stale = sum(1 for p in files if p.severity == "warning" and "reviewed" in p.message)
        missing = len(result.missing.get(language, ()))
        present = len(expected) - missing
        lines.append(f"{language:10} {present:>4}/{len(expected):<4} {missing:>8} {stale:>10}")
    return "\n".join(lines)


def rendered_problems(content: Content) -> list[Problem]:
    """Limits of what users receive: the answer with its help line, links and review date.

    With buttons, WhatsApp allows a body of at most 1024 characters; any message at most 4096.
    """
    problems = []
    for language, catalog in content.catalogs.items():
        for answer in catalog.answers.values():
            for detail in (False, True) if answer.more else (False,):
                reply = render(
                    content, answer.id, language, detail=detail, values=RUNTIME_PLACEHOLDERS
                )
                if reply is None:
                    continue
                limit = (
                    messenger_limits.MESSAGE_WITH_BUTTONS
                    if reply.buttons
                    else messenger_limits.MESSAGE
                )
                if len(reply.text) > limit:
                    part = "'more'" if detail else "'text'"
                    problems.append(
                        Problem(
                            answer.file,
                            answer.line,
                            f"'{answer.id}' as sent (its {part} with help line, links and date) "
                            f"has {len(reply.text)} characters; a message with buttons allows "
                            f"{limit}. Shorten the {part}",
                        )
                    )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check ``locales/`` and ``desk.yml``; print problems and the status table."""
    parser = argparse.ArgumentParser(prog="python -m bot content-check", description=__doc__)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="judge 'reviewed' dates against this day (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    store = content_store()  # the files, rules and desk of the running assistant
    required = store.required_ids
    result = store.load(today=args.today)
    if result.readable is not None:  # also with errors elsewhere: every problem at once
        result.problems.extend(rendered_problems(result.readable))
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
