"""``desk.yml``: the information desk people are referred to and conversations handed to.

Editors change it without code; every mistake is reported with file and line (through
content's YAML helpers), like the answer files'. The answers get what they show of the desk
(name, url, points) and the handoff its languages, hours and usual wait, as
``bot.content.model.DeskDetails``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content import yamlfile
from bot.content.model import DeskDetails, DeskPoint
from bot.content.values import is_https_url
from bot.content.yamlfile import LoadedYaml, Problem
from bot.desk.hours import OpeningHours, parse_hours
from bot.i18n.languages import SUPPORTED_LANGUAGES

DESK_FILE = "desk.yml"


def read_desk(project_root: Path, problems: list[Problem]) -> DeskDetails | None:
    """The desk of ``project_root/desk.yml``; None (with ``problems``) when unusable."""
    path = project_root / DESK_FILE
    loaded = yamlfile.load(path, yamlfile.display_path(project_root, path))
    problems.extend(loaded.problems)
    data = loaded.data
    if not isinstance(data, dict):
        if not loaded.problems:
            problems.append(loaded.problem((), "desk.yml must contain name:, url: and points:"))
        return None
    name, url = data.get("name"), data.get("url")
    ok = True
    if not isinstance(name, str) or not name.strip():
        problems.append(loaded.problem(("name",), "the desk needs a 'name'"))
        ok = False
    if not is_https_url(url):
        problems.append(loaded.problem(("url",), "the desk needs a complete https:// 'url'"))
        ok = False
    points = []
    for index, point in enumerate(data.get("points") or []):
        if not isinstance(point, dict) or not point.get("region") or not point.get("place"):
            problems.append(
                loaded.problem(("points", index), "each point needs 'region' and 'place'")
            )
            ok = False
            continue
        points.append(
            DeskPoint(
                str(point["region"]),
                str(point["place"]),
                str(point["email"]) if point.get("email") else None,
            )
        )
    handoff = _handoff(loaded, data, problems)
    if not ok or handoff is None:
        return None
    languages, hours, wait = handoff
    return DeskDetails(
        name=str(name),
        url=str(url),
        hours=hours,
        points=tuple(points),
        languages=languages,
        first_response_minutes=wait,
    )


def _handoff(
    loaded: LoadedYaml, data: dict[str, Any], problems: list[Problem]
) -> tuple[tuple[str, ...], OpeningHours, int] | None:
    """The desk's languages, opening hours and usual waiting time; None when unusable."""
    hours, hour_problems = parse_hours(data.get("hours", {}), data.get("closed", []))
    for where, message in hour_problems:
        problems.append(loaded.problem(where, message))
    languages = data.get("languages") or []
    if not isinstance(languages, list) or not set(map(str, languages)) <= set(SUPPORTED_LANGUAGES):
        codes = ", ".join(SUPPORTED_LANGUAGES)
        problems.append(loaded.problem(("languages",), f"'languages' lists codes of: {codes}"))
        languages = []
    wait = data.get("first_response_minutes", 60)
    if not isinstance(wait, int) or isinstance(wait, bool) or wait <= 0:
        message = "'first_response_minutes' must be a whole number of minutes above 0"
        problems.append(loaded.problem(("first_response_minutes",), message))
        return None
    if hour_problems:
        return None
    return tuple(map(str, languages)), hours, wait
