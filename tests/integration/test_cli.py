"""The command line: bad input is one line and exit 2; the JSON contract holds."""

import json

import pytest

from conftest import gilviz, pyenv_python

BAD = [
    (["run", "threads-cp"], "did you mean 'threads-cpu'"),
    (["run", "nonsense"], "unknown scenario"),
    (["run", "threads-cpu", "--workers", "0"], "1 to 64"),
    (["run", "threads-cpu", "--workers", "-3"], "1 to 64"),
    (["run", "threads-cpu", "--workers", "100000"], "1 to 64"),
    (["run", "threads-cpu", "--workers", "two"], "1 to 64"),
    (["run", "threads-cpu", "--size", "huge"], "tiny, demo, seed"),
    (["run", "pools", "--executor", "proces"], "did you mean 'process'"),
    (["run", "threads-cpu", "--python", "/nonexistent/python"], "no such executable"),
    (["run", "threads-cpu", "--python", "/bin/ls"], "not a Python interpreter"),
    (["run"], "required"),
    (["frobnicate"], "invalid choice"),
    (["--scenario", "racee"], "did you mean 'race'"),
    (["bench", "--repeats", "0"], "1 to 50"),
    (["bench", "--repeats", "x"], "1 to 50"),
    (["run", "threads-io", "--repeats", "0"], "1 to 50"),
    (["run", "threads-io", "--repeats", "x"], "1 to 50"),
    (["run", "threads-io", "--repeats", "51"], "1 to 50"),
    (["bench", "--soak", "0"], "0.1 to 600"),
    (["bench", "--soak", "forever"], "a number of minutes"),
    (["record", "threads-cpu"], "required"),
    (["record", "nope", "-o", "x.jsonl"], "unknown scenario"),
    (["replay"], "required"),
    (["screenshot", "traces/nope.jsonl", "-o", "x.svg"], "No such file"),
    (["screenshot", "nope.jsonl.gz", "-o", "x.svg"], "No such file"),
    (["screenshot", "threads-cp", "-o", "x.svg"], "did you mean 'threads-cpu'"),
    (["--workers", "65"], "1 to 64"),
    (["run", "threads-cpu", "--workers", "65"], "threads-cpu takes 1 to 64 workers"),
    (["run", "asyncio", "--workers", "10001"], "up to 10000"),
    (["run", "start-methods", "--workers", "2"], "start-methods runs 1"),
    (["run", "procs-cpu", "--switch-interval", "50"], "procs-cpu runs no threads side by side"),
    (["run", "pools", "--executor", "process", "--switch-interval", "50"], "pools with --executor process"),
    (["run", "threads-cpu", "--switch-interval", "0.01"], "0.1 to 1000"),
    (["run", "threads-cpu", "--switch-interval", "slow"], "a number of milliseconds"),
    (["record", "queue", "--switch-interval", "50", "-o", "x.jsonl"], "queue runs no threads"),
    (["screenshot", "oversubscribed", "--switch-interval", "50", "-o", "x.svg"], "oversubscribed runs no threads"),
    (["bench", "--workers", "1000"], "1 to 64"),
    (["--switch-interval", "50"], "start the dashboard on one of them with --scenario"),
    (["run", "start-methods", "--start-method", "spawn"], "drop --start-method"),
]


@pytest.mark.parametrize(("args", "says"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(args, says):
    out = gilviz(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gilviz: ")
    assert says in lines[0]


def test_python_2_is_refused():
    py2 = pyenv_python("2.")
    if py2 is None:
        pytest.skip("no Python 2 on this machine")
    out = gilviz("run", "threads-cpu", "--python", py2)
    assert out.returncode == 2 and "Python 2" in out.stderr and "Traceback" not in out.stderr


def test_list_names_every_scenario():
    from gilviz.lab.scenarios import KEYS

    out = gilviz("list")
    assert out.returncode == 0
    for key in KEYS:
        assert key in out.stdout
    doc = json.loads(gilviz("list", "--json").stdout)
    assert [s["key"] for s in doc] == list(KEYS) and all(s["lesson"] and s["code"] for s in doc)
    assert all(len(line) < 120 for line in out.stdout.splitlines())  # one line each


def test_list_json_gives_each_lesson_s_theory_on_this_machine():
    from gilviz.lab.scenarios import usable_cores

    doc = {s["key"]: s for s in json.loads(gilviz("list", "--json").stdout)}
    cores = usable_cores()
    for entry in doc.values():
        assert set(entry) >= {"key", "title", "summary", "lesson", "theory", "workers", "max_workers", "code"}
        assert set(entry["theory"]) >= {"kind", "figure", "value", "unit", "says", "cores"} and entry["theory"]["says"]
    assert doc["c-threads"]["theory"] == dict(doc["c-threads"]["theory"], kind="cores", figure="speed-up", value=min(2, cores))
    assert doc["asyncio"]["workers"] == 1000 and doc["asyncio"]["max_workers"] == 10000
    assert doc["asyncio"]["theory"]["value"] == 1.0 and doc["asyncio"]["theory"]["unit"] == "waits"
    assert doc["convoy"]["theory"]["value"] == 10.0 and doc["convoy"]["theory"]["unit"] == "ms"  # two 5 ms switch intervals
    assert doc["oversubscribed"]["workers"] == min(64, 4 * cores)
    assert doc["oversubscribed"]["theory"]["value"] == 1 - min(cores, 4 * cores) / (4 * cores)
    assert doc["start-methods"]["theory"]["value"] is None and "spawn" in doc["start-methods"]["theory"]["says"]


def test_run_json_contract():
    out = gilviz("run", "threads-io", "--size", "tiny", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for key in ("scenario", "python", "cores", "workers", "wall_s", "baseline_s", "speedup", "theory", "lanes"):
        assert key in doc
    assert doc["scenario"] == "threads-io" and doc["workers"] == 2
    assert set(doc["python"]) >= {"version", "implementation", "gil_enabled"}
    assert doc["speedup"] == pytest.approx(doc["baseline_s"] / doc["wall_s"], rel=0.01)
    assert doc["switch_interval_s"] == 0.005 and "explanation" in doc
    assert doc["figure"] == dict(doc["figure"], name="speed-up", unit="×", theory=2.0)
    assert doc["figure"]["measured"] == pytest.approx(doc["speedup"], abs=1e-3)
    for lane in doc["lanes"]:
        assert set(lane) >= {"name", "pid", "tid", "kind", "role", "shares", "switches"}
        assert lane["kind"] in ("thread", "process") and lane["role"] in ("worker", "main")
        assert set(lane["shares"]) >= {"running", "gil_wait", "core_wait", "io", "lock_wait"}
        assert 0.0 <= sum(lane["shares"].values()) <= 1.05


def test_run_json_race_and_queue_figures():
    race = json.loads(gilviz("run", "race", "--size", "tiny", "--lock", "--json").stdout)["race"]
    assert set(race) >= {"expected", "actual", "lost", "lock"} and race["lock"] is True and race["lost"] == 0
    queue = json.loads(gilviz("run", "queue", "--size", "tiny", "--json").stdout)["queue"]
    assert set(queue) >= {"put", "got"} and queue["put"] == queue["got"]


def test_run_json_of_the_lessons_past_the_textbook():
    doc = json.loads(gilviz("run", "asyncio", "--size", "tiny", "--json").stdout)
    assert set(doc["asyncio"]) >= {"tasks", "wait_s", "wall_s", "threads", "rss_kb", "with_threads"}
    assert doc["figure"]["name"] == "wall time in waits" and doc["figure"]["measured"] < 2
    doc = json.loads(gilviz("run", "convoy", "--size", "tiny", "--switch-interval", "2", "--json").stdout)
    assert set(doc["convoy"]) >= {"alone_ms", "with_cpu_ms"} and doc["switch_interval_s"] == 0.002
    assert doc["figure"]["theory"] == 4.0  # two switch intervals of 2 ms
    doc = json.loads(gilviz("run", "start-methods", "--size", "tiny", "--json").stdout)
    assert set(doc["start_methods"]) >= {"fork", "spawn", "forkserver"}
    race = json.loads(gilviz("run", "race", "--size", "tiny", "--json").stdout)["race"]
    assert set(race) >= {"expected", "actual", "lost", "lock", "switch_interval_s", "duration_s", "updates_per_s"}


def test_run_text_summary():
    out = gilviz("run", "threads-cpu", "--size", "tiny")
    assert out.returncode == 0, out.stderr
    assert "speed-up" in out.stdout and "theory 1×" in out.stdout and "GIL" in out.stdout


def test_bench_json_has_every_row_and_the_overhead():  # and the same keys as before, with more beside them
    out = gilviz("bench", "--size", "tiny", "--repeats", "1", "--json", timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    names = [row["name"] for row in doc["rows"]]
    assert "threads CPU speed-up" in names and "race lost updates, lock on" in names
    assert all(isinstance(row["measured"], (int, float)) for row in doc["rows"])
    overhead = doc["overhead"]
    assert overhead["slowdown"] > 0 and 0 <= overhead["sampler_cpu"] < 1
    assert [len(doc["baselines_s"][k]) for k in ("seq-io", "seq-cpu")] == [1, 1]  # --repeats baseline runs each
    for figures in (overhead, overhead["all_cores"]):  # the pairs' median ratio and range
        assert len(figures["watched_s"]) == len(figures["unwatched_s"]) == len(figures["slowdowns"]) == 1
        assert figures["slowdown_range"] == [figures["slowdown"]] * 2
        assert figures["slowdowns"] == [pytest.approx(figures["slowdown"], abs=1e-4)]
    assert overhead["all_cores"]["scenario"] == "procs-cpu" and overhead["all_cores"]["workers"] == doc["cores"]
    speedups = [row for row in doc["rows"] if row["unit"] == "×"]
    assert all(row["range"] == [row["measured"]] * 2 and row["repeats"] == 1 for row in speedups)
    assert set(doc["noisy"]) >= {"runs", "of_runs", "pairs", "of_pairs"}


@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_the_lab_runs_under_other_interpreters(version):
    python = pyenv_python(version + ".")
    if python is None:
        pytest.skip("no Python %s on this machine" % version)
    out = gilviz("run", "race", "--size", "tiny", "--python", python, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["python"]["version"].startswith(version + ".")
    assert doc["race"]["lost"] > 0


def test_bench_soak_reports_memory_and_leaves_nothing():
    out = gilviz("bench", "--soak", "0.1", "--size", "tiny", "--json", timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["switches"] >= 1 and doc["strays_after_quit"] == 0
    assert doc["rss_start_mb"] > 0 and doc["rss_end_mb"] > 0 and 0 < doc["ui_cpu_share"] < 1


def test_a_baseline_of_several_runs_is_their_median():
    from gilviz.measure import Session
    from gilviz.model import RunConfig

    session = Session(baseline_runs=3)
    report = session.run(RunConfig("threads-io", size="tiny"))
    walls = session.baseline_walls["seq-io"]
    assert len(walls) == 3
    assert report.baseline_s == sorted(walls)[1]
