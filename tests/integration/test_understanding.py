"""What the trained model makes of messages users send that are not in any data set."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.intents import NOT_TOPICS, TOPIC_INTENTS
from bot.turns import best_guesses


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


# A worker's whole story in one message (1,300 characters), as people write to a desk.
STORY = (
    "Goedendag, ik schrijf namens mijn collega's en mezelf, want wij weten niet meer wat "
    "we moeten doen. Wij werken sinds augustus via een uitzendbureau in een "
    "distributiecentrum bij Tilburg, in ploegen, vaak ook op zaterdag. In het begin ging "
    "alles goed en kregen we elke week ons geld op de bank. Maar sinds vijf weken is er "
    "niets meer gestort. Eerst zei de coördinator dat er een probleem was met de bank, "
    "toen dat de administratie ziek was, en vorige week zei hij dat we moeten wachten tot "
    "het einde van de maand. Wij hebben huur, eten en reizen te betalen en sommigen "
    "sturen geld naar hun familie in Polen en Roemenië. Niemand van het kantoor neemt de "
    "telefoon op en op onze e-mails komt geen antwoord. Een collega heeft gevraagd of hij "
    "een voorschot kon krijgen, maar dat mocht niet. We werken gewoon door, want we zijn "
    "bang dat we anders ook onze kamer kwijtraken. Ik heb al mijn uren opgeschreven in "
    "een schrift en ook foto's van het rooster gemaakt. Volgens mijn eigen telling ben ik "
    "meer dan negenhonderd euro netto tekort. Mag een werkgever het loon zo lang niet "
    "betalen? Bij wie kan ik een klacht indienen en hoe krijgen wij ons geld terug? "
    "Moeten we een advocaat nemen of is er gratis hulp? Alvast heel erg bedankt voor uw "
    "antwoord, want we zijn echt ten einde raad en weten niet bij wie we anders terecht "
    "kunnen."
)


@pytest.mark.parametrize("text", [STORY, "ik heb geen loon gekregen " * 400])
def test_a_message_the_length_of_a_page_gets_its_topic_or_offers_it(parse, text):
    """Long messages are answered with their topic, or it is among the "did you mean" buttons."""
    parsed = parse(text)
    offered = best_guesses(parsed["intent_ranking"], TOPIC_INTENTS)
    assert parsed["intent"]["name"] == "wage_problem" or (
        parsed["intent"]["name"] == "nlu_fallback" and "wage_problem" in offered
    ), parsed["intent_ranking"][:3]
