"""The web chat in a real browser (Debian's chromium), as a newcomer would try it."""

from __future__ import annotations

from tests.integration.conftest import needs_chromium, screenshot

pytestmark = needs_chromium


def test_chatting_in_the_browser(assistant, browser, content):
    page = browser.new_page(locale="pl-PL")
    page.goto(assistant.base + "/webhooks/webchat/")
    greeting = content.catalogs["pl"].answers["greet"].text.splitlines()[0][:30]
    page.get_by_text(greeting).wait_for(timeout=30_000)

    page.get_by_label("Your message").fill("skad mam wziac numer bsn")
    page.get_by_role("button", name="Send").click()
    bsn = content.catalogs["pl"].answers["bsn"].text.splitlines()[0][:30]
    page.get_by_text(bsn).wait_for(timeout=30_000)

    digid_title = content.catalogs["pl"].ui["topics"]["digid"]
    page.locator(".msg.bot").last.get_by_role("button", name=digid_title).click()
    digid = content.catalogs["pl"].answers["digid"].text.splitlines()[0][:30]
    page.get_by_text(digid).wait_for(timeout=30_000)

    links = page.locator(".msg.bot a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert any(h.startswith("https://") for h in hrefs)  # the official sources
    [privacy] = {h for h in hrefs if h.endswith("/webhooks/webchat/privacy/pl")}
    screenshot(page, "webchat.png")
    page.goto(privacy)  # the first reply's privacy line opens the notice in Polish
    page.get_by_role("heading", name="Polski").wait_for(timeout=10_000)
    page.close()
