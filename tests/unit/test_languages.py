import pytest

from bot.i18n.languages import (
    Detection,
    choose_language,
    language_named_in,
    native_name,
    negotiate,
)

RELIABLE = dict(confidence=0.8, reliable=True, strong=False)
STRONG = dict(confidence=0.95, reliable=True, strong=True)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("nl-BE", "nl"),
        ("pl_PL", "pl"),
        ("ro", "ro"),
        ("bg-BG", "bg"),
        ("en-GB", "en"),
        ("de-DE", None),
        ("", None),
        (None, None),
        ("x" * 100, None),
    ],
)
def test_channel_locale_hints_are_negotiated(hint, expected):
    assert negotiate(hint) == expected


def test_each_language_is_named_in_its_own_script():
    assert native_name("bg") == "Български"
    assert native_name("pl") == "Polski"
    assert native_name("ro") == "Română"
    assert native_name("nl") == "Nederlands"
    assert native_name("en") == "English"


def test_first_reliable_detection_sets_the_language():
    choice = choose_language(None, Detection("ro", **RELIABLE))
    assert (choice.code, choice.remember) == ("ro", True)


def test_language_is_sticky_against_a_weak_detection():
    # "ok" or "BSN" detected as something else must not flip a Polish conversation
    choice = choose_language("pl", Detection("nl", **RELIABLE))
    assert (choice.code, choice.remember) == ("pl", False)


def test_unreliable_detection_never_sets_anything():
    choice = choose_language(None, Detection("pl", confidence=0.4, reliable=False, strong=False))
    assert choice.code == "en" and not choice.remember


def test_a_long_clear_message_in_another_language_switches():
    choice = choose_language("pl", Detection("ro", **STRONG))
    assert (choice.code, choice.remember, choice.reason) == ("ro", True, "switched")


def test_explicit_choice_wins_over_everything():
    choice = choose_language("pl", Detection("ro", **STRONG), hint="nl-NL", explicit="bg")
    assert (choice.code, choice.remember) == ("bg", True)


def test_channel_hint_is_used_but_not_remembered():
    choice = choose_language(None, None, hint="nl-BE")
    assert (choice.code, choice.remember) == ("nl", False)


def test_unknown_stored_language_is_ignored():
    assert choose_language("de", None).code == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("po polsku prosze", "pl"),
        ("mów po polsku", "pl"),
        ("in romana va rog", "ro"),
        ("schimba in limba romana", "ro"),
        ("на български моля", "bg"),
        ("na bulgarski", "bg"),
        ("kan het in het nederlands", "nl"),
        ("english please", "en"),
        ("po angielsku", "en"),
        ("change language", None),
        ("polski albo angielski", None),
    ],
)
def test_languages_named_in_a_request(text, expected):
    assert language_named_in(text) == expected


def test_detection_round_trips_through_parse_data_and_rejects_junk():
    detection = Detection("bg", 0.91, True, True)
    assert Detection.from_dict(detection.as_dict()) == detection
    assert Detection.from_dict({"code": "de"}) is None
    assert Detection.from_dict("pl") is None
    assert Detection.from_dict({"code": "pl", "confidence": "high"}) is None
