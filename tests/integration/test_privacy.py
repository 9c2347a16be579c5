"""Privacy through the running assistant (web chat): the notice on first contact, and "delete
my data" in every language. Each test runs against SQLite, and against PostgreSQL when
TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.tools.processes import stop
from tests.databases import KINDS, fresh_database
from tests.integration.conftest import Assistant, start
from tests.integration.replies import reply_answer

# A question that sets the conversation's language, and how people ask to be forgotten.
LANGUAGES = {
    "pl": ("gdzie moge dostac numer bsn", "usun moje dane"),
    "ro": ("de unde iau numarul bsn", "sterge-mi datele"),
    "bg": ("kak da si izvadya bsn nomer", "iztrii moite danni"),
    "nl": ("waar kan ik een bsn nummer krijgen", "verwijder mijn gegevens"),
    "en": ("how do i get a bsn number", "please delete my data"),
}


@pytest.fixture(scope="module", params=KINDS)
def private_assistant(
    request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    folder = tmp_path_factory.mktemp(f"privacy-{request.param}")
    with fresh_database(request.param, folder) as url:
        running = start(trained_model, folder, database_url=url)
        try:
            yield running
        finally:
            stop(running.processes)


def notice_of(content, language: str) -> str:
    return content.catalogs[language].ui["privacy_notice"].split("{")[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_first_reply_links_the_privacy_notice_in_the_users_language(
    private_assistant, content, language
):
    question, _ = LANGUAGES[language]
    user = private_assistant.new_user()
    [reply] = private_assistant.say(user, question)
    notice = reply["text"].splitlines()[-1]
    assert notice.startswith(notice_of(content, language))
    status, page, headers = private_assistant.get(urlsplit(notice.split()[-1]).path)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}">' in page and "30" in page
    assert content.desk.name in page and "{desk_name}" not in page  # who answers for the data
    [later] = private_assistant.say(user, question)
    assert notice_of(content, language) not in later["text"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_delete_my_data_asks_then_leaves_nothing(private_assistant, content, language):
    question, request = LANGUAGES[language]
    user = private_assistant.new_user()
    private_assistant.say(user, question)
    [asked] = private_assistant.say(user, request)
    assert reply_answer(content, language, asked["text"]) == "forget"
    assert [b["payload"] for b in asked["buttons"]] == ["/affirm", "/deny"]

    [done] = private_assistant.say(user, "/affirm")
    assert reply_answer(content, language, done["text"]) == "forget_done"
    assert private_assistant.rows_about(user) == 0

    [again] = private_assistant.say(user, question)  # a new conversation: told about privacy
    assert notice_of(content, language) in again["text"]
    assert private_assistant.rows_about(user) > 0


def test_no_keeps_the_conversation(private_assistant, content):
    user = private_assistant.new_user()
    private_assistant.say(user, LANGUAGES["ro"][0])
    private_assistant.say(user, LANGUAGES["ro"][1])
    stored = private_assistant.rows_about(user)
    [kept] = private_assistant.say(user, "/deny")
    assert reply_answer(content, "ro", kept["text"]) == "forget_kept"
    assert private_assistant.rows_about(user) > stored


def test_the_privacy_page_falls_back_to_english(private_assistant):
    status, page, headers = private_assistant.get("/webhooks/webchat/privacy/xx")
    assert status == 200 and '<html lang="en">' in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
