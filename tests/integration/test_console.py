"""The desk console in a real browser (Debian's chromium): a staff member signs in, sees a
case appear live when a user asks for a person in the web chat, claims it, reads the
transcript, sends a ready-made Polish reply that the user receives, adds a note and closes;
then the user talks to the bot again. Screenshots go to results/screenshots/ (not in git)."""

from __future__ import annotations

import re

from bot import storage
from bot.desk.auth import Authenticator
from bot.desk.staff import StaffStore
from tests.integration.conftest import needs_chromium, screenshot

pytestmark = needs_chromium

PASSWORD = "console-test-password"


def test_a_staff_member_takes_a_case_and_hands_it_back(assistant, browser, content):
    engine = storage.engine(assistant.settings.database_url)
    StaffStore(engine).add("ewa")
    Authenticator(engine).set_password("ewa", PASSWORD)
    pl, nl = content.catalogs["pl"], "nl"

    desk = browser.new_page(locale="nl-NL")
    desk.goto(assistant.base + "/webhooks/desk/")
    login = desk.locator("#login")
    login.get_by_label("Naam").fill("ewa")
    login.get_by_label("Wachtwoord").fill("not the password")
    desk.get_by_role("button", name="Aanmelden").click()
    desk.get_by_text("Verkeerde naam of verkeerd wachtwoord.").wait_for(timeout=10_000)
    login.get_by_label("Wachtwoord").fill(PASSWORD)
    desk.get_by_role("button", name="Aanmelden").click()
    desk.get_by_role("heading", name="Wachtrij").wait_for(timeout=10_000)
    assert not desk.get_by_role("heading", name="Aanmelden").is_visible()  # the form is gone

    user = browser.new_page(locale="pl-PL")
    user.goto(assistant.base + "/webhooks/webchat/")
    user.get_by_text(pl.answers["greet"].text.splitlines()[0][:30]).wait_for(timeout=30_000)

    def say(text: str) -> None:
        user.get_by_label("Your message").fill(text)
        user.get_by_role("button", name="Send").click()

    def user_sees(text: str) -> None:
        user.get_by_text(text[:40]).last.wait_for(timeout=30_000)

    say("chce porozmawiac z czlowiekiem")
    user_sees(pl.answers["handoff_consent"].text.split("(")[0])
    user.get_by_role("button", name=pl.ui["consent_yes"]).last.click()
    user_sees(pl.answers["handoff_description"].text)
    say("Agencja nie zapłaciła mi za ostatni miesiąc")
    user_sees(pl.answers["handoff_contact"].text)
    user.get_by_role("button", name=pl.ui["contact_chat"]).last.click()

    desk.get_by_text("Nieuwe zaak").wait_for(timeout=20_000)  # live, without reloading
    case = desk.locator(".cases .waiting button").filter(has_text="Agencja nie zapłaciła")
    case.wait_for(timeout=10_000)
    screenshot(desk, "console-queue.png")
    case.click()
    desk.get_by_role("button", name="Oppakken").click()
    desk.locator(".transcript .user").filter(has_text="chce porozmawiac").wait_for()

    english = content.catalogs["en"].canned["call_tomorrow"]
    desk.get_by_label("Standaardantwoord").select_option(label=english)
    assert (
        desk.get_by_label("Antwoord aan de gebruiker").input_value() == pl.canned["call_tomorrow"]
    )
    desk.get_by_role("button", name="Versturen").click()
    desk.locator(".transcript .staff").filter(has_text=pl.canned["call_tomorrow"][:30]).wait_for()
    user_sees(pl.canned["call_tomorrow"])  # the user's page fetched it

    desk.get_by_label("Interne notitie (wordt nooit verstuurd)").fill("Agencja X, loon oktober")
    desk.get_by_role("button", name="Notitie toevoegen").click()
    desk.locator(".transcript .note").filter(has_text="Agencja X").wait_for()
    screenshot(desk, "console-case.png")
    desk.locator("#close").get_by_label("Uitkomst").select_option("answered")
    desk.get_by_role("button", name="Afsluiten en teruggeven aan de bot").click()
    user_sees(pl.answers["case_closed"].text)

    say("skad mam wziac numer bsn")
    user_sees(pl.answers["bsn"].text)  # the bot answers again
    assert "Agencja X" not in user.content()  # notes are never sent
    desk.get_by_role("button", name="Afmelden").click()
    desk.get_by_role("heading", name="Aanmelden").wait_for()
    assert re.search(nl, desk.evaluate("document.documentElement.lang"))


def test_an_admin_manages_accounts_and_reads_the_audit_log(assistant, browser):
    engine = storage.engine(assistant.settings.database_url)
    StaffStore(engine).add("ruud", role="admin")
    Authenticator(engine).set_password("ruud", PASSWORD)

    page = browser.new_page(locale="en-GB")
    page.goto(assistant.base + "/webhooks/desk/")
    page.get_by_label("Taal").select_option("en")  # the staff member picks English
    page.locator("#login").get_by_label("Name").fill("ruud")
    page.locator("#login").get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Administration").wait_for(timeout=10_000)

    page.locator("#add-account").get_by_label("Name").fill("fien")
    page.get_by_label("Password (12+ characters)").fill("fien-her-own-password")
    page.get_by_role("button", name="Add account").click()
    page.locator("#accounts li").filter(has_text="fien · staff").wait_for()
    page.locator("#audit li").filter(has_text="ruud · account added · fien").wait_for()
    page.locator("#audit li").filter(has_text="signed in").first.wait_for()
    screenshot(page, "console-admin.png")
    page.get_by_role("button", name="Remove fien").click()
    page.locator("#audit li").filter(has_text="account removed · fien").wait_for()
    assert page.locator("#accounts li").filter(has_text="fien").count() == 0
