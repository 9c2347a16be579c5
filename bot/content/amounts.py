"""``locales/amounts.yml``: amounts answers mention, each with its year and source."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bot.content import yamlfile
from bot.content.model import Amount
from bot.content.values import is_https_url
from bot.content.yamlfile import Problem
from bot.i18n import formatting


def load_amounts(root: Path, path: Path, problems: list[Problem]) -> dict[str, Amount]:
    """The amounts of ``path`` by name; what is wrong goes to ``problems`` (file and line)."""
    if not path.exists():
        return {}
    loaded = yamlfile.load(path, yamlfile.display_path(root, path))
    problems.extend(loaded.problems)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    section = data.get("amounts", {})
    amounts: dict[str, Amount] = {}
    if not isinstance(section, dict):
        problems.append(loaded.problem(("amounts",), "'amounts' must list name: {value, currency}"))
        return amounts
    for name, spec in section.items():
        where = ("amounts", name)
        if not isinstance(spec, dict) or set(spec) - {"value", "currency", "source"}:
            problems.append(
                loaded.problem(where, f"'{name}' needs 'value', 'currency' and 'source'")
            )
            continue
        try:
            value = Decimal(str(spec.get("value")))
        except InvalidOperation:
            problems.append(
                loaded.problem((*where, "value"), f"'{name}' value must be a number like 14.71")
            )
            continue
        currency = spec.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                loaded.problem((*where, "currency"), "currency must be a code like EUR")
            )
            continue
        if not is_https_url(spec.get("source")):
            problems.append(loaded.problem(where, f"'{name}' needs a 'source' https link"))
            continue
        if not re.search(r"_(19|20)\d\d$", str(name)):
            problems.append(
                loaded.problem(
                    where,
                    f"'{name}' must end with its year, like "
                    "minimum_wage_2026 (amounts change every year)",
                )
            )
            continue
        amounts[str(name)] = Amount(value, currency)
    return amounts


def amount_values(amounts: dict[str, Amount], language: str) -> dict[str, str]:
    """Each amount as ``language`` writes it ("14,71 €" in Polish, "€14.71" in English)."""
    return {name: formatting.money(a.value, a.currency, language) for name, a in amounts.items()}
