"""The answer files' own sections: ``answers:`` (with every field checked), ``ui:``, ``canned:``.

One file at a time; what must agree between files and languages is in
``bot.content.consistency`` and ``bot.content.ui``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot import messenger_limits
from bot.content.model import Answer
from bot.content.placeholders import names_in
from bot.content.values import ID, is_https_url
from bot.content.yamlfile import LoadedYaml, Problem

# Limits of a phone screen; the messengers' own are in bot.messenger_limits.
MAX_TEXT = 600
MAX_MORE = 1000
MAX_BUTTONS = messenger_limits.BUTTONS
MAX_CANNED = messenger_limits.MESSAGE_WITH_BUTTONS
STALE_AFTER = dt.timedelta(days=183)

ANSWER_FIELDS = {"text", "more", "buttons", "sources", "reviewed", "help"}
HELP_KINDS = {"desk"}

_LINK_IN_TEXT = re.compile(r"https?://|www\.", re.IGNORECASE)


def read_canned(loaded: LoadedYaml, canned: dict[str, str], problems: list[Problem]) -> None:
    """The staff's ready-made replies of one file (``canned: {id: text}``)."""
    data = loaded.data if isinstance(loaded.data, dict) else {}
    section = data.get("canned")
    if section is None:
        return
    if not isinstance(section, dict):
        problems.append(loaded.problem(("canned",), "'canned' must contain 'id: text' lines"))
        return
    for reply_id, text in section.items():
        where = ("canned", reply_id)
        if not isinstance(reply_id, str) or not ID.match(reply_id):
            problems.append(loaded.problem(where, f"'{reply_id}' must be like call_tomorrow"))
        elif not isinstance(text, str) or not text.strip():
            problems.append(loaded.problem(where, f"the reply '{reply_id}' is empty"))
        elif len(text) > MAX_CANNED:
            problems.append(
                loaded.problem(
                    where, f"'{reply_id}' has {len(text)} characters; at most {MAX_CANNED}"
                )
            )
        else:
            canned[reply_id] = text.strip()


def read_file(  # noqa: C901 - one check per section, in reading order
    loaded: LoadedYaml,
    language: str,
    answers: dict[str, Answer],
    broken: set[str],
    ui: dict[str, Any],
    values: dict[str, str],
    today: dt.date,
    problems: list[Problem],
) -> None:
    """Read one answer file of ``language`` into ``answers``, ``ui`` and the ``broken`` ids."""
    data = loaded.data
    if not isinstance(data, dict):
        problems.append(loaded.problem((), "the file must start with 'answers:' or 'ui:'"))
        return
    for key in data:
        if key not in {"answers", "ui", "canned"}:
            problems.append(
                loaded.problem(
                    (key,), f"unknown section '{key}'; use 'answers:', 'ui:' or 'canned:'"
                )
            )
    if "ui" in data:
        if isinstance(data["ui"], dict):
            ui.update(data["ui"])
        else:
            problems.append(loaded.problem(("ui",), "'ui' must contain 'name: text' lines"))
    section = data.get("answers", {})
    if not isinstance(section, dict):
        problems.append(
            loaded.problem(
                ("answers",), "'answers' must contain answer ids, each followed by its fields"
            )
        )
        return
    for answer_id, fields in section.items():
        path = ("answers", answer_id)
        if not isinstance(answer_id, str) or not ID.match(answer_id):
            problems.append(
                loaded.problem(
                    path,
                    f"answer id '{answer_id}' must be lowercase "
                    "letters, digits and _ (like wage_problem)",
                )
            )
            continue
        if answer_id in answers:
            problems.append(
                loaded.problem(
                    path, f"answer '{answer_id}' is also in {answers[answer_id].file}; keep one"
                )
            )
            continue
        answer = read_answer(loaded, path, language, fields, values, today, problems)
        if answer is not None:
            answers[answer_id] = answer
        else:
            broken.add(answer_id)


def read_answer(  # noqa: C901 - one check per field, in the order editors read them
    loaded: LoadedYaml,
    path: tuple[str | int, ...],
    language: str,
    fields: Any,
    values: dict[str, str],
    today: dt.date,
    problems: list[Problem],
) -> Answer | None:
    """One answer, every field checked; None (with its problems) when it cannot be used."""
    answer_id = str(path[-1])
    if not isinstance(fields, dict):
        problems.append(
            loaded.problem(
                path,
                f"'{answer_id}' needs fields below it (text:, "
                "sources: ...), indented by two spaces",
            )
        )
        return None
    before = len(problems)
    for key in fields:
        if key not in ANSWER_FIELDS:
            problems.append(
                loaded.problem(
                    (*path, key),
                    f"unknown field '{key}'; allowed: " + ", ".join(sorted(ANSWER_FIELDS)),
                )
            )
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(loaded.problem(path, f"'{answer_id}' needs a 'text'"))
        text = ""
    text = text.strip()
    more = fields.get("more")
    if more is not None and (not isinstance(more, str) or not more.strip()):
        problems.append(loaded.problem((*path, "more"), "'more' must be text"))
        more = None
    more = more.strip() if isinstance(more, str) else None

    for name, value, limit in (("text", text, MAX_TEXT), ("more", more, MAX_MORE)):
        if value is None:
            continue
        if _LINK_IN_TEXT.search(value):
            problems.append(
                loaded.problem((*path, name), "put links under 'sources', not in the text")
            )
        try:
            unknown = names_in(value) - set(values)
        except ValueError:
            problems.append(
                loaded.problem(
                    (*path, name),
                    "a '{' or '}' is not closed; placeholders look like {minimum_wage_2026}",
                )
            )
            continue
        for placeholder in sorted(unknown):
            problems.append(
                loaded.problem(
                    (*path, name),
                    f"unknown placeholder {{{placeholder}}}; known: " + ", ".join(sorted(values)),
                )
            )
        if unknown:
            continue
        shown = len(value.format_map(values))
        if shown > limit:
            problems.append(
                loaded.problem(
                    (*path, name),
                    f"'{name}' shows {shown} "
                    f"characters; the limit is {limit}. Shorten it"
                    + (" or move detail to 'more'" if name == "text" else ""),
                )
            )

    buttons = fields.get("buttons", [])
    if not isinstance(buttons, list) or not all(isinstance(b, str) for b in buttons):
        problems.append(
            loaded.problem(
                (*path, "buttons"), "'buttons' must be a list of answer ids, like [bsn, digid]"
            )
        )
        buttons = []
    if len(buttons) > MAX_BUTTONS:
        problems.append(loaded.problem((*path, "buttons"), f"at most {MAX_BUTTONS} buttons"))

    sources = fields.get("sources", [])
    if not isinstance(sources, list):
        problems.append(loaded.problem((*path, "sources"), "'sources' must be a list of links"))
        sources = []
    for index, link in enumerate(sources):
        if not is_https_url(link):
            problems.append(
                loaded.problem(
                    (*path, "sources", index), f"'{link}' is not a complete https:// link"
                )
            )

    if sources and not buttons:
        problems.append(
            loaded.problem(
                path, f"'{answer_id}' needs 1 to {MAX_BUTTONS} related topics under 'buttons'"
            )
        )

    reviewed = fields.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        problems.append(
            loaded.problem((*path, "reviewed"), "'reviewed' must be a date like 2026-11-29")
        )
        reviewed = None
    if sources and reviewed is None and "reviewed" not in fields:
        problems.append(
            loaded.problem(
                path,
                "an answer with sources needs 'reviewed: "
                "YYYY-MM-DD' (when the facts were last checked)",
            )
        )
    if isinstance(reviewed, dt.date):
        if reviewed > today:
            problems.append(
                loaded.problem((*path, "reviewed"), f"'reviewed' {reviewed} is in the future")
            )
        elif today - reviewed > STALE_AFTER:
            problems.append(
                loaded.problem(
                    (*path, "reviewed"),
                    f"reviewed on {reviewed}, more "
                    "than 6 months ago: check the facts and update the "
                    "date",
                    severity="warning",
                )
            )

    help_kind = fields.get("help")
    if help_kind is not None and help_kind not in HELP_KINDS:
        problems.append(
            loaded.problem((*path, "help"), "'help' can only be: " + ", ".join(sorted(HELP_KINDS)))
        )
        help_kind = None

    if any(p.severity == "error" for p in problems[before:]):
        return None
    return Answer(
        id=answer_id,
        language=language,
        text=text,
        more=more,
        buttons=tuple(buttons),
        sources=tuple(sources),
        reviewed=reviewed,
        help=help_kind,
        file=loaded.file,
        line=loaded.line(path),
    )
