"""Every text of the desk console is in the Dutch and the English catalog."""

from __future__ import annotations

import re

import pytest

from bot.desk.api import CONSOLE_LANGUAGES, STATIC, console_strings


def texts_in_the_console() -> set[str]:
    html = (STATIC / "console.html").read_text(encoding="utf-8")
    script = (STATIC / "console.js").read_text(encoding="utf-8")
    found = set(re.findall(r'data-t="([^"]+)"', html))
    found |= set(re.findall(r'(?<![\w$.])t\("([^"]+)"\)', script))
    keys = {"outcome:" + o for o in ("answered", "referred", "no_reply", "handed_back", "erased")}
    keys |= {"from:" + f for f in ("user", "bot", "staff", "note")}
    keys |= {"delivery:" + d for d in ("sent", "queued", "failed")}
    keys |= {"contact:chat", "contact:phone", "waiting", "claimed", "closed"}
    keys |= {"role:staff", "role:admin"}
    actions = (
        "sign_in",
        "read",
        "claim",
        "unclaim",
        "message",
        "note",
        "close",
        "list_queue",
        "search_closed",
    )
    keys |= {"action:" + a for a in (*actions, "add_staff", "remove_staff")}
    return found | keys


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_every_console_text_is_translated(language):
    catalog = console_strings(language)
    missing = texts_in_the_console() - set(catalog)
    assert not missing
    keys = [key for key in texts_in_the_console() if re.fullmatch(r"[a-z_]+:[a-z_]+", key)]
    assert all(catalog[key] != key for key in keys)  # keys have a text in every language


def test_dutch_is_not_english():
    nl, en = console_strings("nl"), console_strings("en")
    assert nl["Claim"] == "Oppakken" and en["Claim"] == "Claim"
