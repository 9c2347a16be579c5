"""What editors get when they change locales/: clear errors with file and line."""

import datetime as dt
import re
from pathlib import Path

from bot.content.loader import load_content
from bot.desk.config import read_desk
from bot.wiring import answer_ids_required

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 3)


def load(project: Path, today: dt.date = TODAY):
    return load_content(project, answer_ids_required(project), today=today, read_desk=read_desk)


def lines_of(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_the_real_content_has_no_errors():
    result = load(ROOT)
    assert result.errors == []
    assert result.content is not None
    for language in ("pl", "ro", "bg", "nl", "en"):
        assert set(result.content.catalogs[language].answers) >= answer_ids_required(ROOT)


def test_every_answer_fits_the_messengers(content):
    for catalog in content.catalogs.values():
        for answer in catalog.answers.values():
            assert len(answer.text) <= 600 + 40, answer.id  # placeholders render shorter
            assert len(answer.buttons) <= 3
            for source in answer.sources:
                assert source.startswith("https://")


def test_broken_yaml_is_reported_with_file_and_line(project):
    path = project / "locales" / "pl" / "housing.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("  housing_eviction:"))
    lines[broken] = "  housing_eviction: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = load(project)
    assert result.content is None
    problem = next(p for p in result.errors if p.file == "locales/pl/housing.yml")
    assert broken + 1 <= problem.line <= broken + 3
    assert "not valid YAML" in problem.message


def test_unknown_field_too_long_text_and_bad_link_are_explained(project):
    path = project / "locales" / "ro" / "other.yml"
    path.write_text(
        "answers:\n"
        "  dutch_course:\n"
        f"    text: {'a' * 700}\n"
        "    txt: typo\n"
        "    sources: [http://example.org, 'https://ok.example.org/page']\n"
        "    reviewed: 2026-11-01\n"
        "  desk_info:\n"
        "    text: '{desk_points}'\n"
        "    sources: [https://workinnl.nl]\n"
        "    reviewed: 2026-11-01\n",
        encoding="utf-8",
    )
    result = load(project)
    text = "\n".join(lines_of(result))
    assert "locales/ro/other.yml:3: error: 'text' shows 700 characters; the limit is 600" in text
    assert "locales/ro/other.yml:4: error: unknown field 'txt'" in text
    assert "locales/ro/other.yml:5: error: 'http://example.org' is not a complete https://" in text


def test_missing_translation_fails_the_check(project):
    # (what users get meanwhile, the English answer, is tested in test_render.py)
    path = project / "locales" / "bg" / "other.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data.replace("  dutch_course:", "  dutch_course_removed:"), encoding="utf-8")
    result = load(project)
    assert result.content is None
    assert any("answer 'dutch_course' is missing in 'bg'" in p.message for p in result.errors)


def test_placeholders_must_match_english(project):
    path = project / "locales" / "nl" / "healthcare.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data.replace("{eigen_risico_2026}", "385 euro"), encoding="utf-8")
    result = load(project)
    assert any(
        "placeholders" in p.message and p.file == "locales/nl/healthcare.yml" for p in result.errors
    )


def test_unknown_placeholder_and_unclosed_brace(project):
    path = project / "locales" / "pl" / "other.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data.replace("{taalbudget_max_2024}", "{taalbudget}"), encoding="utf-8")
    assert any("unknown placeholder {taalbudget}" in p.message for p in load(project).errors)
    path.write_text(data.replace("{taalbudget_max_2024}", "{taalbudget_max_2024"), encoding="utf-8")
    assert any("is not closed" in p.message for p in load(project).errors)


def test_old_review_dates_warn_but_do_not_fail():
    result = load(ROOT, today=dt.date(2027, 8, 1))
    assert result.errors == []
    assert any("more than 6 months ago" in p.message for p in result.warnings)


def test_duplicate_keys_are_reported(project):
    path = project / "locales" / "en" / "conversation.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data + "\n  greet:\n    text: again\n", encoding="utf-8")
    assert any("appears twice" in p.message for p in load(project).errors)


def test_non_utf8_file_is_reported(project):
    (project / "locales" / "en" / "extra.yml").write_bytes(b"answers:\n  x:\n    text: \xff\xfe\n")
    assert any("not UTF-8" in p.message for p in load(project).errors)


def test_button_titles_must_fit_whatsapp(project):
    path = project / "locales" / "pl" / "ui.yml"
    data = path.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^    bsn: .*$", "    bsn: BSN numer identyfikacyjny", data)
    assert changed != data
    path.write_text(changed, encoding="utf-8")
    assert any("buttons allow 20" in p.message for p in load(project).errors)


def test_answers_as_sent_fit_a_whatsapp_message_with_buttons(content):
    import dataclasses

    from bot.tools.content_check import rendered_problems

    assert rendered_problems(content) == []
    # a text within its own 600 characters, but too long once links and help are added
    en = content.catalogs["en"]
    long = dataclasses.replace(en.answers["health_insurance"], text="x" * 595)
    catalogs = {
        **content.catalogs,
        "en": dataclasses.replace(en, answers={**en.answers, "health_insurance": long}),
    }
    problems = rendered_problems(dataclasses.replace(content, catalogs=catalogs))
    assert [p.file for p in problems] == ["locales/en/healthcare.yml"]
    assert "allows 1024" in problems[0].message


def test_an_answer_too_long_as_sent_is_reported_while_another_language_has_errors(project):
    from bot.tools.content_check import rendered_problems

    registration = project / "locales" / "nl" / "registration.yml"
    data = registration.read_text(encoding="utf-8")
    registration.write_text(data.replace("  bsn:", "  bsn_renamed:", 1), encoding="utf-8")
    healthcare = project / "locales" / "en" / "healthcare.yml"
    data = healthcare.read_text(encoding="utf-8")
    text = r"(  health_insurance:\n    text: \|\n)(      .*\n)+"  # within 600, too long as sent
    healthcare.write_text(re.sub(text, rf"\g<1>      {'x' * 590}\n", data, count=1), "utf-8")
    result = load(project)
    assert any("'bsn' is missing in 'nl'" in p.message for p in result.errors)
    assert result.content is None  # the running assistant keeps its last good version
    problems = rendered_problems(result.readable)
    assert [p.file for p in problems] == ["locales/en/healthcare.yml"]


def test_plural_forms_are_checked_per_language(project):
    path = project / "locales" / "pl" / "ui.yml"
    data = path.read_text(encoding="utf-8")
    path.write_text(data.replace('    many: "{n} minut"\n', ""), encoding="utf-8")
    assert any(
        "needs the plural forms few, many, one, other in 'pl'; missing: many" in p.message
        for p in load(project).errors
    )


def test_a_topic_answer_needs_follow_up_buttons(project):
    path = project / "locales" / "nl" / "other.yml"
    data = path.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^    buttons: \[desk_info\]\n", "", data, count=1)
    assert changed != data
    path.write_text(changed, encoding="utf-8")
    assert any("needs 1 to 3 related topics" in p.message for p in load(project).errors)


def test_ready_made_replies_load_per_language_and_a_missing_one_is_a_warning(project):
    result = load(project)
    assert result.content is not None
    assert set(result.content.catalogs["pl"].canned) == set(result.content.catalogs["en"].canned)
    canned = project / "locales" / "ro" / "canned.yml"
    lines = [
        line
        for line in canned.read_text(encoding="utf-8").splitlines()
        if "call_tomorrow" not in line
    ]
    canned.write_text("\n".join([*lines, '  Bad Id: "x"']) + "\n", encoding="utf-8")
    result = load(project)
    [missing] = [p for p in result.warnings if "call_tomorrow" in p.message]
    assert missing.file == "locales/ro/canned.yml" and "'ro'" in missing.message
    [bad] = [p for p in result.errors if "Bad Id" in p.message]
    assert bad.file == "locales/ro/canned.yml" and bad.line == len(lines) + 1


def test_mistakes_in_desk_yml_are_reported_with_file_and_line(project):
    path = project / "desk.yml"
    text = path.read_text(encoding="utf-8")
    broken = (
        text.replace("url: https://workinnl.nl", "url: workinnl.nl")
        .replace("languages: [nl, en, pl, ro]", "languages: [nl, xx]")
        .replace('tuesday: "09:00-17:00"', 'tuesday: "9-5"')
        .replace("first_response_minutes: 60", "first_response_minutes: soon")
    )
    path.write_text(broken, encoding="utf-8")
    result = load(project)
    assert result.content is None
    lines = broken.splitlines()
    found = {p.message: lines[p.line - 1].strip() for p in result.errors if p.file == "desk.yml"}
    assert found == {
        "the desk needs a complete https:// 'url'": "url: workinnl.nl",
        "'languages' lists codes of: pl, ro, bg, nl, en": "languages: [nl, xx]",
        "'9-5' is not a time span like 09:00-17:00": 'tuesday: "9-5"',
        "'first_response_minutes' must be a whole number of minutes above 0": (
            "first_response_minutes: soon"
        ),
    }


def test_the_desk_reaches_the_answers_and_the_handoff(content):
    desk = content.desk
    assert desk.name.startswith("Work in NL-punt") and desk.url == "https://workinnl.nl"
    assert desk.languages == ("nl", "en", "pl", "ro") and desk.first_response_minutes == 60
    monday_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
    assert desk.hours.is_open(monday_10)
