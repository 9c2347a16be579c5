"""How answers look to users: amounts, dates, links, buttons, English fallback."""

import dataclasses

from bot.content.render import language_buttons, render
from bot.i18n.formatting import money


def test_amounts_are_written_the_way_each_language_writes_them():
    assert money(14.71, "EUR", "pl") == "14,71\xa0€"
    assert money(14.71, "EUR", "en") == "€14.71"
    assert money(14.71, "EUR", "nl") == "€\xa014,71"
    assert money(385, "EUR", "ro") == "385\xa0EUR"  # CLDR: Romanian writes the code
    assert money(385, "EUR", "en") == "€385"


def test_wage_answer_shows_the_2026_minimum_wage_in_local_format(content):
    assert "14,71" in render(content, "wage_problem", "pl").text
    assert "€14.71" in render(content, "wage_problem", "en").text
    assert "14,71" in render(content, "wage_problem", "bg").text


def test_topic_answers_carry_sources_and_review_date(content):
    for language in ("pl", "ro", "bg", "nl", "en"):
        reply = render(content, "health_insurance", language)
        answer = content.catalogs[language].answers["health_insurance"]
        assert all(source in reply.text for source in answer.sources)
        assert content.catalogs[language].ui["reviewed"] in reply.text
        assert "2026" in reply.text.split(content.catalogs[language].ui["reviewed"])[-1]


def test_help_line_names_the_desk_from_desk_yml(content):
    reply = render(content, "housing_eviction", "ro")
    assert content.desk.name in reply.text and content.desk.url in reply.text


def test_follow_up_buttons_are_titled_in_the_language_and_send_the_intent(content):
    reply = render(content, "bsn", "bg")
    titles = {b.payload: b.title for b in reply.buttons}
    assert titles["/digid"] == content.catalogs["bg"].ui["topics"]["digid"]
    assert all(len(b.payload.encode()) <= 64 for b in reply.buttons)


def test_more_button_and_detail(content):
    with_more = next(a for a in content.catalogs["pl"].answers.values() if a.more)
    reply = render(content, with_more.id, "pl")
    assert reply.has_more and any(b.payload == "/show_more" for b in reply.buttons)
    detail = render(content, with_more.id, "pl", detail=True)
    assert with_more.more.splitlines()[0] in detail.text
    assert not any(b.payload == "/show_more" for b in detail.buttons)


def test_missing_translation_falls_back_to_english(content):
    catalogs = dict(content.catalogs)
    bg = catalogs["bg"]
    answers = {k: v for k, v in bg.answers.items() if k != "ehic"}
    catalogs["bg"] = dataclasses.replace(bg, answers=answers)
    partial = dataclasses.replace(content, catalogs=catalogs)
    reply = render(partial, "ehic", "bg")
    assert reply.language == "en" and reply.fallback_used
    assert content.catalogs["en"].answers["ehic"].text.splitlines()[0] in reply.text


def test_unknown_answer_renders_nothing(content):
    assert render(content, "no_such_answer", "pl") is None


def test_language_buttons_name_each_language_in_its_own_script():
    titles = [b.title for b in language_buttons()]
    assert titles == ["Polski", "Română", "Български", "Nederlands", "English"]
    assert all(len(b.payload.encode()) <= 64 for b in language_buttons())


def test_counted_strings_use_each_languages_plural_forms(content):
    from bot.content.render import ui_count

    assert [ui_count(content, "minutes", n, "pl") for n in (1, 2, 5, 22)] == [
        "1 minuta",
        "2 minuty",
        "5 minut",
        "22 minuty",
    ]
    assert [ui_count(content, "minutes", n, "ro") for n in (1, 2, 20)] == [
        "1 minut",
        "2 minute",
        "20 de minute",
    ]
    assert [ui_count(content, "minutes", n, "bg") for n in (1, 3)] == ["1 минута", "3 минути"]
    assert ui_count(content, "minutes", 1500, "nl") == "1.500 minuten"
    assert ui_count(content, "minutes", 1, "en") == "1 minute"


def test_buttons_send_the_payloads_declared_in_bot_intents(content):
    from bot.content.render import forget_buttons
    from bot.intents import language_payload, payload

    assert [b.payload for b in language_buttons()] == [
        '/change_language{"language":"pl"}',
        '/change_language{"language":"ro"}',
        '/change_language{"language":"bg"}',
        '/change_language{"language":"nl"}',
        '/change_language{"language":"en"}',
    ]
    assert language_payload("pl") == payload("change_language", language="pl")
    assert [b.payload for b in forget_buttons(content, "pl")] == ["/affirm", "/deny"]


def test_every_topics_rating_buttons_fit_telegram_and_whatsapp():
    from bot.content.render import feedback_buttons
    from bot.intents import TOPIC_INTENTS, is_feedback_payload
    from bot.messenger_limits import BUTTON_TITLE, PAYLOAD_BYTES

    for topic in TOPIC_INTENTS:
        buttons = feedback_buttons(topic)
        assert [b.title for b in buttons] == ["👍", "👎"]
        for button in buttons:
            assert len(button.payload.encode()) <= PAYLOAD_BYTES, button.payload
            assert len(button.title) <= BUTTON_TITLE
            assert is_feedback_payload(button.payload)
    assert not is_feedback_payload("/affirm") and not is_feedback_payload("/show_more")
