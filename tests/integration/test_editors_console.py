"""The editors' view of the desk console in a real browser (Debian's chromium).

Polish users ask the web chat, in different words, how to exchange a driving licence — a topic
the assistant has no answer for — and one asks for a BSN, which it answers. An editor (made
with ``python -m bot staff add … --editor``) signs in, sees only the editors' view (never the
queue, and the console calls no case route), finds those messages as one masked group, the
answer that was given, and exports the group as candidate NLU examples. Desk staff neither see
the view nor get its figures; an admin switches between the desk and the view and can make an
editor account. Screenshots go to results/screenshots/ (not in git); docs/editors.png is a copy
of editors.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bot import storage
from bot.desk.auth import Authenticator
from bot.desk.staff import StaffStore
from bot.editors.masking import mask
from tests.integration.conftest import needs_chromium, screenshot
from tests.integration.replies import reply_answer

pytestmark = needs_chromium

PASSWORD = "editors-test-password"
PHONE = "0612345678"
# The same question, three ways; the last with a phone number, which the editors never see.
DRIVING_LICENCE = [
    "gdzie wymienię prawo jazdy na holenderskie",
    "jak zamienić polskie prawo jazdy w holandii",
    f"czy muszę wymienić polskie prawo jazdy na holenderskie? mój telefon {PHONE}",
]
MASKED_PHONE = "[phone]"
NOT_UNDERSTOOD = {"fallback", "fallback_desk", "out_of_scope"}  # the replies that say so
CASE_ROUTES = ("/api/cases", "/api/events", "/api/canned")


def add_account(assistant, name: str, *flags: str) -> str:
    """An account made on the command line, as an operator does; returns its API token."""
    made = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", name, *flags, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, **assistant.settings.as_env()},
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def sign_in(page, assistant, name: str) -> None:
    page.goto(assistant.base + "/webhooks/desk/")
    login = page.locator("#login")
    login.get_by_label("Naam").fill(name)
    login.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def desk_api(assistant, path: str, token: str) -> int:
    status, _, _ = assistant.get_with(
        "/webhooks/desk/api/" + path, {"Authorization": f"Bearer {token}"}
    )
    return status


def test_an_editor_finds_what_was_not_understood_and_exports_it(assistant, browser, content):
    token = add_account(assistant, "eva", "--editor")
    for text in DRIVING_LICENCE:  # each in a conversation of its own, as different people
        reply = assistant.say(assistant.new_user(), text, hint="pl-PL")
        answer = reply_answer(content, "pl", reply[0]["text"])
        assert answer in NOT_UNDERSTOOD, f"{text!r} was answered with {answer!r}"
    bsn = assistant.say(assistant.new_user(), "skad mam wziac numer bsn", hint="pl-PL")
    assert reply_answer(content, "pl", bsn[0]["text"]) == "bsn"

    assert desk_api(assistant, "editors", token) == 200
    assert desk_api(assistant, "cases", token) == 403  # no case, no conversation

    page = browser.new_page(locale="nl-NL", accept_downloads=True)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    sign_in(page, assistant, "eva")
    page.get_by_role("heading", name="Voor de redactie").wait_for(timeout=10_000)
    assert page.locator("#who").inner_text() == "eva (redacteur)"

    # the messages about the driving licence, as one group (the texts are grouped by meaning)
    group = page.locator("#not-understood li.group").filter(has_text="prawo jazdy").first
    group.wait_for(timeout=60_000)  # the first grouping opens the sentence-embedding model
    count = int(re.search(r"\d+", group.locator(".count").inner_text()).group())
    shown = group.locator(".examples li").all_inner_texts()
    assert count >= 2, shown
    assert len(set(shown) & {mask(text) for text in DRIVING_LICENCE}) >= 2, shown
    assert "Pools" in group.locator(".group-head").inner_text()
    section = page.locator("#not-understood").inner_text()
    assert MASKED_PHONE in section and PHONE not in section  # masked before it was stored
    assert "numer bsn" not in section  # answered, so not among them

    # the BSN answer was given in Polish
    bsn_row = page.locator("#answers tr").filter(
        has=page.locator("td.id", has_text=re.compile(r"^bsn$"))
    )
    polish = bsn_row.filter(has_text="Pools")
    assert int(polish.locator("td").nth(2).inner_text()) >= 1
    per_day = page.locator("#per-day-table")
    assert "Pools" in per_day.locator("thead").inner_text()

    # an editor never sees the desk, and the console asked for no case
    assert page.locator("#desk").is_hidden()
    assert not page.get_by_role("heading", name="Wachtrij").is_visible()
    assert not page.get_by_role("button", name="Balie").is_visible()
    assert not [url for url in asked if any(route in url for route in CASE_ROUTES)], asked

    screenshot(page, "editors.png")  # docs/editors.png is a copy of it
    with page.expect_download() as downloading:
        group.get_by_role("link", name=re.compile("exporteren")).click()
    download = downloading.value
    assert download.suggested_filename == "not-understood.yml"
    exported = Path(download.path()).read_text(encoding="utf-8")
    assert "CHOOSE_AN_INTENT" in exported
    assert PHONE not in exported
    for text in shown:
        assert " ".join(text.split()) in exported, text
    blocks = yaml.safe_load(exported)["nlu"]
    assert {block["intent"] for block in blocks} == {"CHOOSE_AN_INTENT"}
    assert "prawo jazdy" in blocks[0]["examples"]


def test_desk_staff_neither_see_nor_read_the_editors_view(assistant, browser):
    engine = storage.engine(assistant.settings.database_url)
    token = StaffStore(engine).add("sam")
    Authenticator(engine).set_password("sam", PASSWORD)
    assert desk_api(assistant, "editors", token) == 403
    assert desk_api(assistant, "editors/export?ids=1", token) == 403

    page = browser.new_page(locale="nl-NL")
    sign_in(page, assistant, "sam")
    page.get_by_role("heading", name="Wachtrij").wait_for(timeout=10_000)
    assert page.locator("#views").is_hidden()
    assert not page.get_by_role("button", name="Redactie").is_visible()
    assert page.locator("#editors").is_hidden()
    status = page.evaluate("fetch('api/editors').then((reply) => reply.status)")
    assert status == 403  # with the console's own session too


def test_an_admin_switches_views_and_adds_an_editor(assistant, browser):
    engine = storage.engine(assistant.settings.database_url)
    StaffStore(engine).add("ruth", role="admin")
    Authenticator(engine).set_password("ruth", PASSWORD)

    page = browser.new_page(locale="nl-NL")
    sign_in(page, assistant, "ruth")
    page.get_by_role("heading", name="Wachtrij").wait_for(timeout=10_000)
    desk, editors = (page.get_by_role("button", name=n) for n in ("Balie", "Redactie"))
    assert desk.get_attribute("aria-pressed") == "true"
    editors.click()
    page.get_by_role("heading", name="Niet begrepen", exact=True).wait_for()
    assert editors.get_attribute("aria-pressed") == "true"
    assert page.locator("#desk").is_hidden()
    desk.click()
    page.get_by_role("heading", name="Wachtrij").wait_for()
    assert page.locator("#editors").is_hidden()

    page.locator("#add-account").get_by_label("Naam").fill("edo")
    page.get_by_label("Wachtwoord (12+ tekens)").fill("edo-his-own-password")
    page.get_by_label("Rol").select_option("editor")
    page.get_by_role("button", name="Account toevoegen").click()
    page.locator("#accounts li").filter(has_text="edo · redacteur").wait_for()
    assert dict(StaffStore(engine).names())["edo"] == "editor"
