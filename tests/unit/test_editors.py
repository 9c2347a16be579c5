"""What editors learn from the conversations: masking, grouping, the figures a turn leaves,
and what survives the retention purge (SQLite here and PostgreSQL when TEST_DATABASE_URL is
set)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
import yaml

from bot import storage, wiring
from bot.editors import figures
from bot.editors.api import CHOOSE_INTENT, nlu_yaml
from bot.editors.grouping import group
from bot.editors.masking import mask
from bot.editors.recording import Turn, person_asked, record
from bot.editors.store import EditorStore, Unanswered, day_of
from bot.privacy.erasure import erase_conversation, purge
from bot.storage import EVENTS
from tests.databases import KINDS, fresh_database

DAY = 86_400
NOW = time.mktime((2026, 12, 3, 12, 0, 0, 0, 0, -1))


# --- masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("zadzwoń na +31 6 1234 5678 albo 0612345678", ["1234 5678", "0612345678"], ["zadzwoń"]),
        ("moj mail jan.kowalski@wp.pl", ["jan.kowalski@wp.pl"], ["moj mail"]),
        ("bsn 111222333 a wypłaty brak", ["111222333"], ["wypłaty brak"]),
        ("BSN: 111.222.333", ["111.222.333"], ["BSN"]),
        ("IBAN NL91 ABNA 0417 1643 00 prosze", ["0417"], ["prosze"]),
        ("mam na imię Anna Kowalska i nie dostałam wypłaty", ["Anna", "Kowalska"], ["wypłaty"]),
        ("numele meu este ion popescu", ["ion"], ["numele meu este"]),
        ("Казвам се Иван Петров, нямам заплата", ["Иван", "Петров"], ["нямам заплата"]),
        ("kazvam se ivan, nqmam zaplata", ["ivan"], ["nqmam zaplata"]),
        ("ik heet Piet de Vries en ik ben ontslagen", ["Piet", "Vries"], ["ontslagen"]),
    ],
)
def test_masking_hides_phone_numbers_e_mail_bsn_iban_and_introduced_names(text, hidden, kept):
    masked = mask(text)
    for private in hidden:
        assert private not in masked
    for word in kept:
        assert word in masked
    assert "[" in masked


@pytest.mark.parametrize(
    "text",
    [
        "zarabiam 14,40 euro za godzinę od 12.10.2026",
        "pracowałem 160 godzin w październiku, mieszkam przy ul. Długa 12",
        "i have 26 weeks of work in 36 weeks",
        "Randstad nie zapłacił mi za październik",
    ],
)
def test_masking_keeps_amounts_dates_house_numbers_and_companies(text):
    assert mask(text) == text


def test_a_nine_digit_number_that_is_no_bsn_is_still_masked_as_a_number():
    assert "123456789" not in mask("mój numer 123456789")


# --- grouping -----------------------------------------------------------------------------

LICENCE_PL = [
    "gdzie mogę wymienić prawo jazdy na holenderskie",
    "jak zamienić polskie prawo jazdy w holandii",
    "wymiana prawa jazdy holandia",
]
BANK_PL = ["jak otworzyć konto w banku w holandii", "chcę założyć konto bankowe"]
LICENCE_RO = [
    "unde pot schimba permisul de conducere",
    "cum îmi schimb permisul românesc în olanda",
]
CHILD_RO = ["alocatie pentru copii in olanda", "primesc bani pentru copil daca lucrez aici"]


def _messages(*texts_and_languages: tuple[str, str]) -> list[Unanswered]:
    return [
        Unanswered(i, NOW + i, language, "not_understood", text, None, None)
        for i, (text, language) in enumerate(texts_and_languages)
    ]


def test_paraphrases_share_a_group_and_different_questions_do_not():
    questions = {
        "licence": [(t, "pl") for t in LICENCE_PL] + [(t, "ro") for t in LICENCE_RO],
        "bank": [(t, "pl") for t in BANK_PL],
        "child": [(t, "ro") for t in CHILD_RO],
    }
    about = {text: topic for topic, items in questions.items() for text, _ in items}
    groups = group(_messages(*(item for items in questions.values() for item in items)))
    topics_per_group = [{about[m.text] for m in g.messages} for g in groups]
    assert all(len(topics) == 1 for topics in topics_per_group), topics_per_group
    polish_licence = next(g for g in groups if LICENCE_PL[0] in g.examples)
    assert set(LICENCE_PL) <= set(polish_licence.examples)
    romanian_child = next(g for g in groups if CHILD_RO[0] in g.examples)
    assert set(CHILD_RO) == set(romanian_child.examples)
    assert groups[0].count >= 3 and groups[0].count >= groups[-1].count  # largest first


def test_a_group_says_its_languages_guess_and_days():
    messages = [
        Unanswered(1, NOW - DAY, "pl", "not_understood", LICENCE_PL[0], "registration_brp", None),
        Unanswered(2, NOW, "ro", "out_of_scope", LICENCE_RO[0], None, None),
        Unanswered(3, NOW, "pl", "not_understood", LICENCE_PL[1], "registration_brp", None),
    ]
    [found] = group(messages, embed=lambda texts: _same_vector(len(texts)))
    shown = found.as_dict()
    assert shown["count"] == 3
    assert shown["languages"] == ["pl", "ro"]
    assert shown["guess"] == "registration_brp"
    assert shown["kinds"] == {"not_understood": 2, "out_of_scope": 1}
    assert (shown["first"], shown["last"]) == (day_of(NOW - DAY), day_of(NOW))
    assert shown["examples"][0] == LICENCE_PL[1]  # the most recent first


def _same_vector(n: int):
    import numpy as np

    return np.ones((n, 4), dtype=np.float32) / 2


# --- a turn's figures ---------------------------------------------------------------------


@pytest.fixture
def clock() -> list[float]:
    return [NOW]


@pytest.fixture
def editors(tmp_path, clock):
    store = EditorStore(storage.engine(f"sqlite:///{tmp_path / 'editors.db'}"), lambda: clock[0])
    yield store
    storage.dispose(str(store.engine.url))


def _figures(store: EditorStore) -> dict[tuple[str, str, str], int]:
    return {(c.figure, c.key, c.language): c.count for c in store.counts("2000-01-01")}


def test_a_topic_answer_and_its_rating_are_counted_without_any_text(editors):
    record(editors, Turn("tg-1", "pl", "bsn", "skad bsn", "bsn", topic_answered=True))
    record(
        editors,
        Turn(
            "tg-1",
            "pl",
            "affirm",
            '/affirm{"feedback":"bsn"}',
            "feedback_thanks",
            feedback=("bsn", True),
        ),
    )
    record(editors, Turn("tg-2", "pl", "bsn", "numer bsn", "bsn", topic_answered=True))
    record(
        editors,
        Turn(
            "tg-2",
            "pl",
            "deny",
            '/deny{"feedback":"bsn"}',
            "feedback_sorry",
            feedback=("bsn", False),
        ),
    )
    assert _figures(editors) == {
        ("given", "bsn", "pl"): 2,
        ("helpful", "bsn", "pl"): 1,
        ("not_helpful", "bsn", "pl"): 1,
    }
    assert editors.unanswered(0) == []


def test_a_not_understood_message_is_kept_masked_with_the_guess(editors):
    turn = Turn(
        "wa-31612345678",
        "pl",
        "nlu_fallback",
        "prawo jazdy wymiana, tel 0612345678",
        "fallback",
        guess="registration_brp",
        previous_answer="bsn",
    )
    record(editors, turn)
    [kept] = editors.unanswered(0)
    assert kept.text == "prawo jazdy wymiana, tel [phone]"
    assert (kept.kind, kept.guess, kept.language) == ("not_understood", "registration_brp", "pl")
    assert _figures(editors) == {
        ("not_understood", "not_understood", "pl"): 1,
        ("then_not_understood", "bsn", "pl"): 1,
    }


def test_button_presses_and_more_are_never_kept_as_not_understood(editors):
    record(editors, Turn("tg-1", "pl", "show_more", "/show_more", "fallback"))
    record(editors, Turn("tg-1", "pl", "show_more", "więcej", "fallback"))
    record(editors, Turn("tg-1", "pl", "bsn", "/bsn", "bsn", topic_answered=True))
    assert editors.unanswered(0) == []


def test_out_of_scope_is_kept_as_its_own_kind(editors):
    record(editors, Turn("tg-1", "ro", "out_of_scope", "cine a castigat meciul", "out_of_scope"))
    assert [m.kind for m in editors.unanswered(0)] == ["out_of_scope"]


def test_a_picked_did_you_mean_takes_the_message_out_of_the_view(editors):
    record(editors, Turn("tg-1", "pl", "nlu_fallback", "papiery z gminy", "fallback"))
    record(editors, Turn("tg-2", "pl", "nlu_fallback", "prawo jazdy", "fallback"))
    record(
        editors,
        Turn(
            "tg-1",
            "pl",
            "registration_brp",
            "/registration_brp",
            "registration_brp",
            topic_answered=True,
            previous_not_understood=True,
        ),
    )
    assert [m.text for m in editors.unanswered(0)] == ["prawo jazdy"]
    assert _figures(editors)[("not_understood", "not_understood", "pl")] == 2  # it happened


def test_what_the_user_looked_for_after_a_thumbs_down_is_kept_with_the_answer(editors):
    record(
        editors,
        Turn(
            "tg-1",
            "nl",
            "wage_problem",
            "loon te laat, mijn naam is Jan",
            "wage_problem",
            topic_answered=True,
            looking_for="payslip",
        ),
    )
    [kept] = editors.unanswered(0)
    assert (kept.kind, kept.answer_id, kept.text) == (
        "not_helpful",
        "payslip",
        "loon te laat, mijn naam is [name]",
    )


def test_asking_for_a_person_right_after_an_answer_is_counted_for_that_answer(editors):
    person_asked(editors, "dismissal", "ro")
    person_asked(editors, "greet", "ro")  # not a topic
    person_asked(editors, None, "ro")
    assert _figures(editors) == {("then_person", "dismissal", "ro"): 1}


def test_counts_are_written_within_a_second_without_being_asked(editors):
    editors.count("given", "bsn", "bg")
    other = EditorStore(editors.engine)  # another process reading the same database
    deadline = time.monotonic() + 5
    while not other.counts("2000-01-01") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(c.figure, c.count) for c in other.counts("2000-01-01")] == [("given", 1)]


def test_counts_add_up_per_day_in_amsterdam(editors, clock):
    for _ in range(3):
        editors.count("given", "bsn", "bg")
    clock[0] = NOW + DAY
    editors.count("given", "bsn", "bg")
    days = {(c.day, c.count) for c in editors.counts("2000-01-01")}
    assert days == {(day_of(NOW), 3), (day_of(NOW + DAY), 1)}


# --- retention: the figures outlive the conversations, the texts do not ----------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_daily_figures_survive_the_purge_and_the_texts_do_not(kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        engine = storage.engine(url)
        clock = [NOW - 40 * DAY]
        store = EditorStore(engine, lambda: clock[0])
        _conversation(engine, "tg-old", clock[0])
        record(store, Turn("tg-old", "pl", "nlu_fallback", "prawo jazdy", "fallback"))
        record(store, Turn("tg-old", "pl", "bsn", "bsn", "bsn", topic_answered=True))
        clock[0] = NOW
        _conversation(engine, "tg-new", NOW)
        record(store, Turn("tg-new", "ro", "nlu_fallback", "permis de conducere", "fallback"))

        purged = purge(engine, NOW, keep_days=30)

        assert purged.conversations == 1
        assert [m.text for m in store.unanswered(0)] == ["permis de conducere"]
        found = figures.collect(
            store, wiring.content_store().get(), "2026-10-01", dt.date(2026, 12, 3)
        )
        per_day = {(row["day"], row["language"]): row["not_understood"] for row in found["per_day"]}
        assert per_day == {(day_of(NOW - 40 * DAY), "pl"): 1, (day_of(NOW), "ro"): 1}
        bsn_pl = next(r for r in found["answers"] if (r["id"], r["language"]) == ("bsn", "pl"))
        assert bsn_pl["given"] == 1


def test_deleting_a_conversation_on_request_deletes_its_texts_too(editors):
    _conversation(editors.engine, "tg-1", NOW)
    record(editors, Turn("tg-1", "pl", "nlu_fallback", "prawo jazdy", "fallback"))
    record(editors, Turn("tg-2", "pl", "nlu_fallback", "konto w banku", "fallback"))
    erase_conversation(editors.engine, "tg-1")
    assert [m.text for m in editors.unanswered(0)] == ["konto w banku"]
    assert _figures(editors)[("not_understood", "not_understood", "pl")] == 2


def _conversation(engine, sender: str, at: float) -> None:
    """One event of Rasa's tracker store, as far as the purge reads it."""
    import sqlalchemy as sa

    events = sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)),
        sa.Column("timestamp", sa.Float),
    )
    events.create(engine, checkfirst=True)
    with engine.begin() as db:
        db.execute(sa.insert(EVENTS).values(sender_id=sender, type_name="user", timestamp=at))


# --- the figures, the export, the report ----------------------------------------------------


def test_answers_list_every_topic_and_language_with_overdue_reviews_first(editors):
    content = wiring.content_store().get()
    rows = figures.answers([], content, dt.date(2027, 12, 1))  # a year on: all overdue
    assert len(rows) == len(figures.TOPIC_INTENTS & content.answer_ids) * 5
    assert rows[0]["overdue"] and not rows[-1]["missing"]
    fresh = figures.answers([], content, dt.date(2026, 12, 3))
    assert not any(row["overdue"] or row["missing"] for row in fresh)


def test_the_export_is_nlu_yaml_with_the_intent_left_to_the_editor():
    messages = [
        Unanswered(1, NOW, "pl", "not_understood", LICENCE_PL[0], None, None),
        Unanswered(2, NOW, "pl", "not_understood", LICENCE_PL[0], None, None),  # twice: once
        Unanswered(3, NOW, "ro", "not_understood", "permis: [phone] #2", None, None),
    ]
    exported = yaml.safe_load(nlu_yaml(messages))
    assert exported["version"] == "3.1"
    blocks = exported["nlu"]
    assert [b["intent"] for b in blocks] == [CHOOSE_INTENT, CHOOSE_INTENT]
    examples = [[line[2:] for line in b["examples"].splitlines()] for b in blocks]
    assert examples == [[LICENCE_PL[0]], ["permis: [phone] #2"]]


def test_the_report_prints_json_for_scripts_and_draws_the_chart(tmp_path, monkeypatch, capsys):
    from bot.tools import report

    url = f"sqlite:///{tmp_path / 'wegwijs.db'}"
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", url)
    store = EditorStore(storage.engine(url))
    record(
        store,
        Turn(
            "tg-1",
            "bg",
            "nlu_fallback",
            "kak da si smenq knijkata",
            "fallback",
            guess="registration_brp",
        ),
    )
    record(store, Turn("tg-1", "bg", "bsn", "bsn", "bsn", topic_answered=True))
    store.flush()  # as the action server does within a second
    chart = tmp_path / "chart.png"
    today = dt.date.today().isoformat()
    assert report.main(["--since", today, "--json", "--chart", str(chart)]) == 0
    printed = json.loads(capsys.readouterr().out)
    [found] = printed["not_understood"]
    assert (found["count"], found["languages"], found["guess"]) == (1, ["bg"], "registration_brp")
    assert found["examples"] == ["kak da si smenq knijkata"]
    bsn = next(a for a in printed["answers"] if (a["id"], a["language"]) == ("bsn", "bg"))
    assert (bsn["given"], bsn["helpful"], bsn["not_helpful"]) == (1, 0, 0)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report.main(["--since", today, "--chart", str(chart)]) == 0
    assert "kak da si smenq knijkata" in capsys.readouterr().out
    storage.dispose(url)
