"""The benchmark's scripted users and its statistics."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import time

from bot.tools.bench import (
    LANGUAGES,
    check_targets,
    conversations,
    cpu_seconds,
    memory_mb,
    percentile,
    print_summary,
    ratios,
)


def test_scripted_users_speak_every_language_and_ask_three_to_five_questions():
    scripts = conversations(10)
    assert [language for language, _ in scripts] == list(LANGUAGES) * 2
    for language, messages in scripts:
        assert messages[0] == "/greet" and messages[-1] == "/show_more"
        assert messages[1] == f'/change_language{{"language":"{language}"}}'
        assert 3 <= len(messages) - 3 <= 5
    assert conversations(10) == scripts  # the same questions each run, so runs compare


def test_percentiles_are_nearest_rank_in_milliseconds():
    values = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([0.2], 0.99) == 200


def _result(ours_p50_1: float, ours_p95_10: float, ours_50: float, plain_50: float) -> dict:
    def run(users: int, p50: float, p95: float, rate: float) -> dict:
        return {
            "users": users,
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p95,
            "messages_per_second": rate,
            "errors": 0,
        }

    ours = {
        "nlu_parse": {"p50_ms": 30.0},
        "end_to_end": [
            {**run(1, ours_p50_1, 80, 20), "errors": 0},
            {**run(10, 100, ours_p95_10, 40), "errors": 0},
            {**run(50, 900, 1500, ours_50), "errors": 0},
        ],
        "model_load_s": 15.0,
        "memory_mb": {"rasa": {"rss": 900, "pss": 880}},
        "training_s": 280.0,
        "from_scratch": True,
    }
    plain = {
        "nlu_parse": {"p50_ms": 8.0},
        "training_s": 55.0,
        "end_to_end": [run(1, 150, 300, 7), run(10, 1000, 2000, 8), run(50, 5000, 6000, plain_50)],
        "model_load_s": 60.0,
        "memory_mb": {"rasa": {"rss": 1300, "pss": 1300}},
    }
    result = {"ours": ours, "plain": plain}
    result["ratios"] = ratios(ours, plain)
    return result


def test_every_target_is_reported_met_or_missed_with_its_measured_value():
    # plain: 2,000 ms p95 at 10 users, 8 messages/s at 50
    good = check_targets(_result(ours_p50_1=40, ours_p95_10=250, ours_50=13, plain_50=8))
    assert [row["met"] for row in good] == [True] * 7 + [None]
    bad = check_targets(_result(ours_p50_1=50, ours_p95_10=1300, ours_50=10, plain_50=8))
    assert [row["met"] for row in bad] == [False, False, False, False, True, True, True, None]
    assert bad[0]["measured"] == 1.2  # 10 / 8 messages per second: the ratio is shown
    assert bad[1]["measured"] == 0.65  # 1,300 / 2,000 ms


def test_without_the_plain_run_the_comparison_is_not_measured_rather_than_missed():
    result = _result(ours_p50_1=40, ours_p95_10=250, ours_50=13, plain_50=8)
    del result["plain"], result["ratios"]
    rows = {row["target"]: row for row in check_targets(result)}
    assert rows["throughput at 50 users ≥ 1.5 × plain Rasa, no errors"]["met"] is None
    assert rows["p95 at 10 users ≤ 0.6 × plain Rasa's p95"]["met"] is None
    assert rows["p95 at 10 users ≤ 300 ms"]["met"] is True


def test_memory_is_read_for_a_process_and_its_children():
    memory = memory_mb(os.getpid())
    assert memory["rss"] > 10 and 0 < memory["pss"] <= memory["rss"]


def test_cpu_time_of_a_process_and_its_children_counts_a_childs_work():
    """Where a message's time goes: a Sanic worker's CPU counts for its server."""
    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", burn + "time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while cpu_seconds(os.getpid()) - sum(os.times()[:2]) < 0.45:  # ours alone excluded
            assert time.monotonic() < deadline, "the child's CPU time was never counted"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()


def test_a_training_that_reused_an_earlier_ones_vectors_is_not_called_from_scratch():
    """302 s with cached vectors says nothing of the 6-minute target from scratch."""
    result = _result(ours_p50_1=40, ours_p95_10=250, ours_50=13, plain_50=8)
    result["ours"].update(training_s=302.4, from_scratch=False)
    rows = {row["target"].split(" (")[0].split(" ≤")[0]: row for row in check_targets(result)}
    assert rows["training from scratch"] == {
        "target": "training from scratch ≤ 6 min",
        "measured": None,
        "met": None,
    }
    assert rows["training with the vectors of an earlier one"]["measured"] == 302.4
    assert rows["training with the vectors of an earlier one"]["met"] is False


def test_the_training_record_says_whether_training_began_from_scratch(tmp_path):
    from bot.tools.training import _record, training_record

    model = tmp_path / "wegwijs-0123.tar.gz"
    assert training_record(model) is None
    _record(model).write_text('{"training_s": 302.4, "from_scratch": false}')
    assert training_record(model) == {"training_s": 302.4, "from_scratch": False}
    _record(model).write_text('{"training_s": 591}')  # kept before it said so
    assert training_record(model) == {"training_s": 591.0, "from_scratch": None}


def _loaded_run() -> dict:
    """A run on 2 cores where ours misses the speed targets, with its CPU and fit figures."""
    result = _result(ours_p50_1=40, ours_p95_10=1300, ours_50=40, plain_50=44)
    result["cores"] = 2
    ours_50 = result["ours"]["end_to_end"][2]
    ours_50.update(cpu_ms_per_message={"rasa": 30.0, "actions": 5.0})
    ours_50.update(client_cpu_ms_per_message=5.0)
    result["ours"]["end_to_end"][1].update(mean_ms=250.0, cpu_ms_per_message={"rasa": 30.0})
    result["plain"]["end_to_end"][2]["cpu_ms_per_message"] = {"rasa": 24.0}
    result["ours"].update(
        training_s=318.0,
        from_scratch=False,
        fit={"seconds": 240.0, "iterations": 480, "weights": 4_252_497, "examples": 15_114},
    )
    return result


def _missed(result: dict) -> dict:
    return {row["target"]: row for row in check_targets(result) if row["met"] is False}


def test_a_missed_throughput_target_says_where_the_cpu_went_and_what_is_left_for_a_message():
    row = _missed(_loaded_run())["throughput at 50 users ≥ 1.5 × plain Rasa, no errors"]
    # 40 msg/s × (35 + 5) ms = 1.6 of 2 cores; 1.5 × 44 = 66 msg/s leaves 2000/66 − 5 ms
    assert "the 2 cores were 80% busy" in row["why"]
    assert "35.0 ms of CPU a message (rasa 30.0, actions 5.0), plain Rasa 24.0" in row["why"]
    assert "the cores were not full" in row["why"]  # below 85%: one process is the limit
    assert "66.0 msg/s on 2 cores leaves 25.3 ms of server CPU a message" in row["would_take"]
    assert "3 cores at today's cost" in row["would_take"]  # 40 ms × 66 msg/s = 2.64 cores


def test_a_missed_latency_target_under_load_says_what_rate_it_needs():
    missed = _missed(_loaded_run())
    row = missed["p95 at 10 users ≤ 300 ms"]
    assert "mean 250 ms" in row["why"] and "p95 is 5.20 × the mean" in row["why"]
    # 40 msg/s, p95 1,300 ms: the same spread at 300 ms needs 40 × 1300 / 300 messages/s
    assert "needs ≥ 173.3 msg/s at 10 users: 77% less work a message" in row["would_take"]
    ratio = missed["p95 at 10 users ≤ 0.6 × plain Rasa's p95"]  # plain: 2,000 ms
    assert "p95 ≤ 1200 ms at this spread needs ≥ 43.3 msg/s" in ratio["would_take"]


def test_a_missed_training_target_splits_the_fit_from_the_rest_and_says_what_the_fit_may_take():
    row = _missed(_loaded_run())[
        "training with the vectors of an earlier one (as after an edit of examples) ≤ 90 s"
    ]
    assert "the intent classifier's fit 240 s (480 L-BFGS iterations" in row["why"]
    assert "4.3 million weights, 0.50 s each), the rest 78 s" in row["why"]
    assert "embedding" not in row["why"]  # the vectors came from the cache
    assert row["would_take"].startswith("the fit in ≤ 12 s: ≤ 24 iterations at this speed")


def test_met_and_unexplained_targets_carry_no_reason_and_the_summary_prints_the_reasons(capsys):
    result = _loaded_run()
    del result["ours"]["fit"]  # a model trained before the fit was recorded
    result["targets"] = check_targets(result)
    rows = {row["target"]: row for row in result["targets"]}
    assert "why" not in rows["model load ≤ 20 s"]  # met
    training = rows[
        "training with the vectors of an earlier one (as after an edit of examples) ≤ 90 s"
    ]
    assert training["met"] is False and "why" not in training
    print_summary(result)
    printed = capsys.readouterr().out
    assert "      why: at 40 msg/s the 2 cores were 80% busy" in printed
    result["ours"]["edit_training"] = {
        "training_s": 301.0,
        "from_scratch": False,
        "edited_examples": 3,
    }
    print_summary(result)
    assert "  training after an edit of 3 examples: 301.0 s\n" in capsys.readouterr().out
    assert "      why: not broken down in this run" in printed


def test_the_training_record_keeps_what_the_classifier_saved_of_its_fit(tmp_path):
    from bot.tools.training import _fit_record, _record, training_record

    model = tmp_path / "wegwijs-0123.tar.gz"
    fit = {"seconds": 240.1, "iterations": 489, "weights": 4_252_497, "examples": 15_114}
    with tarfile.open(model, "w:gz") as archive:
        data = json.dumps(fit).encode()
        member = tarfile.TarInfo("components/train_TfidfIntentClassifier4/fit.json")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    assert _fit_record(model) == fit
    _record(model).write_text(json.dumps({"training_s": 302.4, "from_scratch": False, "fit": fit}))
    assert training_record(model) == {"training_s": 302.4, "from_scratch": False, "fit": fit}
    (tmp_path / "broken.tar.gz").write_bytes(b"not an archive")
    assert _fit_record(tmp_path / "broken.tar.gz") is None


def test_a_training_whose_classifier_came_from_rasas_cache_measures_no_target():
    """Rasa reuses a fit when nothing the classifier depends on changed: 49 s says nothing."""
    result = _loaded_run()
    result["ours"].update(training_s=48.7, classifier_from_cache=True)
    del result["ours"]["fit"]
    rows = {row["target"]: row for row in check_targets(result)}
    after_edit = "training with the vectors of an earlier one (as after an edit of examples) ≤ 90 s"
    assert rows[after_edit]["met"] is None
    # the run's own training of an edited copy is what counts then
    result["ours"]["edit_training"] = {
        "training_s": 301.0,
        "from_scratch": False,
        "fit": {"seconds": 240.0, "iterations": 480, "weights": 4_252_497, "examples": 15_117},
        "edited_examples": 3,
    }
    row = {row["target"]: row for row in check_targets(result)}[after_edit]
    assert row["measured"] == 301.0 and row["met"] is False
    assert row["why"].startswith("training took 301 s: the intent classifier's fit 240 s")


NLU_FILE = """version: "3.1"
nlu:
  - intent: greet
    examples: |
      - hej
      - dzien dobry
  # a comment between intents
  - intent: bye
    examples: |
      - do widzenia
      - nara
"""


def test_the_edited_copy_rewords_a_few_examples_and_leaves_the_project_alone(tmp_path):
    from bot.tools.bench import edited_copy

    project, copy = tmp_path / "project", tmp_path / "copy"
    (project / "data" / "nlu").mkdir(parents=True)
    copy.mkdir()
    for name in ("config.yml", "domain.yml"):
        (project / name).write_text(f"# {name}\n")
    (project / "data" / "nlu" / "a.yml").write_text(NLU_FILE)
    (project / "data" / "nlu" / "b.yml").write_text(NLU_FILE)
    assert edited_copy(project, copy) == ["hej pls", "dzien dobry pls", "do widzenia pls"]
    import yaml

    intents = yaml.safe_load((copy / "data" / "nlu" / "a.yml").read_text())["nlu"]
    assert intents[0]["examples"] == "- hej pls\n- dzien dobry pls\n"
    assert intents[1]["examples"] == "- do widzenia pls\n- nara\n"
    assert (copy / "data" / "nlu" / "b.yml").read_text() == NLU_FILE
    assert (project / "data" / "nlu" / "a.yml").read_text() == NLU_FILE
    assert (copy / "config.yml").read_text() == "# config.yml\n"


def _fake_rasa_train(finished_at: float):
    """``rasa train`` that writes a model whose classifier's fit ended at ``finished_at``."""

    def run(command, **kwargs):
        out = command[command.index("--out") + 1]
        name = command[command.index("--fixed-model-name") + 1]
        fit = {"seconds": 1.5, "iterations": 9, "weights": 120, "examples": 30}
        data = json.dumps({**fit, "finished_at": finished_at}).encode()
        with tarfile.open(f"{out}/{name}.tar.gz", "w:gz") as archive:
            member = tarfile.TarInfo("components/train_TfidfIntentClassifier4/fit.json")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))

    return run


def test_make_train_records_the_fit_only_when_the_classifier_was_fitted_in_that_training(
    tmp_path, monkeypatch
):
    from bot.tools import training

    (tmp_path / "config.yml").write_text("recipe: default.v1\n")
    monkeypatch.setattr(training.subprocess, "run", _fake_rasa_train(time.time() + 1))
    record = training.training_record(training.ensure_model(tmp_path / "fitted", root=tmp_path))
    assert record["fit"]["iterations"] == 9 and "classifier_from_cache" not in record
    # a classifier fitted an hour ago, taken from Rasa's cache
    monkeypatch.setattr(training.subprocess, "run", _fake_rasa_train(time.time() - 3600))
    record = training.training_record(training.ensure_model(tmp_path / "cached", root=tmp_path))
    assert record["classifier_from_cache"] is True and "fit" not in record


def test_when_the_cores_have_room_the_reason_is_the_rasa_servers_one_process():
    """make bench, 2026-12-03: 20.8 msg/s at 83% of 2 cores, plain 15.6 msg/s."""
    result = _loaded_run()
    ours_50 = result["ours"]["end_to_end"][2]
    ours_50.update(messages_per_second=20.8, cpu_ms_per_message={"actions": 7.7, "rasa": 65.5})
    ours_50.update(client_cpu_ms_per_message=6.4)
    result["plain"]["end_to_end"][2]["messages_per_second"] = 15.6
    result["ratios"] = ratios(result["ours"], result["plain"])
    row = _missed(result)["throughput at 50 users ≥ 1.5 × plain Rasa, no errors"]
    assert "the 2 cores were 83% busy" in row["why"] and "used 1.36 cores" in row["why"]
    # 1.5 × 15.6 = 23.4 msg/s: 2000/23.4 − 6.4 = 79.1 ms a message would fit in the cores
    assert row["would_take"].startswith("23.4 msg/s: the cores have room for it (79.1 ms")
    assert "its work a message 11% less, or a second Rasa process" in row["would_take"]


def test_a_slow_model_load_is_set_beside_plain_rasas_on_the_same_machine():
    result = _loaded_run()
    result["ours"]["model_load_s"], result["plain"]["model_load_s"] = 23.1, 73.2
    row = _missed(result)["model load ≤ 20 s"]
    assert row["why"].endswith("plain Rasa 73.2 s on the same machine (3.2 × ours)")
    assert row["would_take"] == "13% less, or a machine on which plain Rasa loads in ≤ 63 s"


def test_a_training_whose_rest_alone_exceeds_the_target_says_both_parts_must_shrink():
    """make bench, 2026-12-03: 575 s after an edit, of which the fit 409 s."""
    result = _loaded_run()
    result["ours"].update(training_s=574.6)
    result["ours"]["fit"].update(seconds=408.7, iterations=490)
    row = _missed(result)[
        "training with the vectors of an earlier one (as after an edit of examples) ≤ 90 s"
    ]
    assert "0.83 s each), the rest 166 s" in row["why"]
    assert (
        row["would_take"] == "the rest alone takes 166 s: the fit and the rest together 84% shorter"
    )
