"""Secrets are hidden in every log record, whichever library writes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.privacy.logs import HIDDEN, hide_secrets

TOKEN = "123456789:AAHk3xY-secret-part-of-the-bot-token"


@pytest.fixture
def restored() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


def test_a_token_in_a_url_is_hidden_in_messages_arguments_and_tracebacks(restored, caplog):
    hide_secrets([TOKEN, None, ""])
    logger = logging.getLogger("telegram.ext.Updater")
    with caplog.at_level(logging.INFO):
        logger.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        logger.warning(f"failed: https://api.telegram.org/bot{TOKEN}/sendMessage")
        try:
            raise ConnectionError(f"cannot reach /bot{TOKEN}/getMe")
        except ConnectionError:
            logger.exception("network")
    text = caplog.text
    assert TOKEN not in text
    assert text.count(HIDDEN) == 3
    assert "getUpdates" in text and "sendMessage" in text  # the rest of the line is kept


def test_httpx_request_lines_keep_the_url_without_the_token(restored, caplog):
    hide_secrets([TOKEN])
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info(
            'HTTP Request: POST %s "200 OK"', f"http://x/bot{TOKEN}/getMe"
        )
    assert TOKEN not in caplog.text and f"/bot{HIDDEN}/getMe" in caplog.text


def test_applying_it_twice_keeps_one_layer(restored):
    hide_secrets([TOKEN])
    hide_secrets([TOKEN, "another-long-secret"])
    record = logging.getLogRecordFactory()("x", logging.INFO, "f", 1, "a %s", (TOKEN,), None)
    assert record.getMessage() == f"a {HIDDEN}"
