"""What the trained model makes of messages users send that are not in any data set."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.intents import NOT_TOPICS


@pytest.fixture(scope="module")
def parse(trained_model: Path) -> Iterator[Any]:
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(trained_model))

    def run(text: str) -> dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    yield run
    loop.close()


@pytest.mark.parametrize(
    "text",
    ["qqzx zzkv", "asdfgh", "1234", "kjhkjh", "zxcvbnm", "ффффф", "jjjj kkkk llll", "..."],
)
def test_gibberish_is_never_answered_with_a_topic(parse, text):
    intent = parse(text)["intent"]["name"]
    assert intent == "nlu_fallback" or intent in NOT_TOPICS, intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # Words that occur in no training example: the sentence embedding knows them.
        ("hejo", "greet"),
        ("absoluut", "affirm"),
        # Typical phone messages: no diacritics, Dutch words, Latin-letter Bulgarian.
        ("agencja nie zaplacila mi za 3 tygodnie co robic", "wage_problem"),
        ("nu am primit salariul de la agentie", "wage_problem"),
        ("kak da si napravq bsn nomer", "bsn"),
        ("hoe kan ik me inschrijven bij een huisarts in tilburg", "gp_registration"),
    ],
)
def test_messages_in_users_words_are_understood(parse, text, intent):
    assert parse(text)["intent"]["name"] == intent


def test_a_message_the_length_of_a_page_is_parsed(parse):
    parsed = parse("ik heb geen loon gekregen " * 400)
    assert parsed["intent"]["name"] == "wage_problem"
