"""Babel formatting of amounts and dates in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency


def money(amount: Decimal | float | int, currency: str, language: str) -> str:
    """An amount as the reader writes it: "14,71 €" in Polish, "€14.71" in English.

    Whole amounts are shown without decimals ("385 €").
    """
    value = Decimal(str(amount))
    pattern = None
    if value == value.to_integral_value():
        pattern = _whole_pattern(language)
    return str(
        format_currency(
            value, currency, format=pattern, locale=language, currency_digits=pattern is None
        )
    )


def _whole_pattern(language: str) -> str:
    from babel import Locale

    standard = Locale.parse(language).currency_formats["standard"].pattern
    return standard.split(";")[0].replace(".00", "").replace(",00", "")


def day(value: dt.date, language: str) -> str:
    """A date in the reader's language, e.g. "29 lis 2026" or "Nov 29, 2026"."""
    return str(format_date(value, format="medium", locale=language))


def moment(value: dt.datetime, language: str, zone: str = "Europe/Amsterdam") -> str:
    """A day and time in the reader's language and the desk's time zone.

    E.g. "poniedziałek, 30 listopada, 09:00" or "Monday, November 30, 09:00".
    """
    return str(format_datetime(value, "EEEE, d MMMM, HH:mm", tzinfo=zone, locale=language))
