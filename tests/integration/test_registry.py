"""The lessons are a registry: one module each in gilviz/lab/lessons, found by walking the package.

Scenario keys are spelled in the lesson modules, not across the engine; a lesson module
dropped into the package (here: into a copy of gilviz) is listed, runs with --json and
is on the dashboard's menu, with nothing else changed.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gilviz.lab import lessons
from gilviz.lab.lesson import Lesson
from gilviz.lab.scenarios import BY_KEY, KEYS, SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gilviz"
MAX_KEYS_OUTSIDE = 20

THROWAWAY = '''"""A throwaway lesson for the registry's test: one thread sleeps once per worker."""

from __future__ import annotations

from gilviz.lab.lesson import IO, Lesson
from gilviz.lab.workers import io_job


class OneSleep(Lesson):
    order = 1000
    key = "one-sleep"
    title = "Throwaway · one sleep"
    summary = "a lesson dropped into the package"
    lesson = "One thread sleeps; its figure is the wall time in sleeps."
    code = IO + "\\n\\nwait_io(S)"
    workers = 1
    sections = ("one_sleep",)

    def run(self, ctx) -> float:
        wall = ctx.sequential(io_job, int(ctx.size.sleep_s * 1000), ctx.size.sleep_s)
        ctx.record("one_sleep", {"sleeps": wall / ctx.size.sleep_s})
        return wall

    def own_figure(self, *, workers, cores, gil_enabled, lock, interval_s):
        return ("wall time in sleeps", "waits", 1.0, "one sleep: about one sleep")

    def measure(self, result, theory, worker_share):
        return (result.get("one_sleep") or {}).get("sleeps"), theory


LESSON = OneSleep()
'''


def key_spellings(path: Path) -> int:
    """How many string constants in ``path`` are a scenario key."""
    return sum(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KEYS
        for node in ast.walk(ast.parse(path.read_text()))
    )


def test_scenario_keys_are_spelled_in_the_lessons_not_across_the_engine():
    outside = {
        str(path.relative_to(ROOT)): n
        for path in sorted(PACKAGE.rglob("*.py"))
        if "lab" not in path.relative_to(PACKAGE).parts[:1] and (n := key_spellings(path))
    }
    assert sum(outside.values()) <= MAX_KEYS_OUTSIDE, outside
    lesson_modules = sorted((PACKAGE / "lab" / "lessons").glob("[!_]*.py"))
    assert all(key_spellings(path) >= 1 for path in lesson_modules)  # each spells its own key


def test_the_counter_counts_a_key_spelled_in_a_module(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('A = "race"\nB = ("pools", "not-a-key")\n')
    assert key_spellings(module) == 2


def test_every_lesson_module_defines_one_lesson_and_the_registry_has_them_all_in_order():
    modules = sorted(p.stem for p in (PACKAGE / "lab" / "lessons").glob("[!_]*.py"))
    assert len(SCENARIOS) == len(modules) == len(lessons.LESSONS)
    assert [s.order for s in SCENARIOS] == sorted(s.order for s in SCENARIOS) and len({s.order for s in SCENARIOS}) == len(
        SCENARIOS
    )
    assert all(isinstance(s, Lesson) and BY_KEY[s.key] is s for s in SCENARIOS)
    for s in SCENARIOS:
        assert s.key and s.title and s.summary and s.lesson and s.code
        assert s.baseline is None or s.baseline in BY_KEY
        assert (s.variant_option is None) == (s.variant_flag is None) == (not s.variant_misuse)
        assert type(s).run is not Lesson.run  # each has a driver


def copy_with_throwaway(tmp_path: Path) -> dict:
    """A copy of gilviz with the throwaway lesson dropped into its lessons package; the environment that runs it."""
    shutil.copytree(PACKAGE, tmp_path / "gilviz", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "gilviz" / "lab" / "lessons" / "one_sleep.py").write_text(THROWAWAY)
    return dict(os.environ, PYTHONPATH=str(tmp_path))


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=180, env=env, cwd=env["PYTHONPATH"])


def test_a_lesson_module_dropped_into_the_package_is_listed_run_and_on_the_menu(tmp_path):
    env = copy_with_throwaway(tmp_path)
    listed = run(env, "-m", "gilviz", "list")
    assert listed.returncode == 0, listed.stderr
    last = listed.stdout.strip().splitlines()[-1]
    assert "one-sleep" in last and "Throwaway · one sleep" in last and str(len(KEYS) + 1) in last

    done = run(env, "-m", "gilviz", "run", "one-sleep", "--size", "tiny", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["scenario"] == "one-sleep" and doc["title"] == "Throwaway · one sleep"
    assert doc["figure"]["name"] == "wall time in sleeps" and doc["figure"]["theory"] == 1.0
    assert 1.0 <= doc["figure"]["measured"] < 3.0  # the wall time of one sleep, measured: at least the sleep
    assert doc["one_sleep"]["sleeps"] >= 1.0  # its own section, copied into the report

    menu = run(env, "-c", MENU)
    assert menu.returncode == 0, menu.stderr
    lines = menu.stdout.splitlines()
    assert len(lines) == len(KEYS) + 1 and "Throwaway · one sleep" in lines[-1]
    assert [line.split(" ", 1)[1].strip() for line in lines[:3]] == [s.title for s in SCENARIOS[:3]]


MENU = """
import asyncio
from gilviz.model import RunConfig
from gilviz.ui.app import scenario_app


async def main():
    app = scenario_app(RunConfig("one-sleep", size="tiny"))
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.pause()
        print(str(app.query_one("#scenarios").render()).rstrip())
        app.exit()


asyncio.run(main())
"""


def test_two_lesson_modules_with_one_key_are_refused(tmp_path, monkeypatch):
    (tmp_path / "seq_io_again.py").write_text(THROWAWAY.replace('"one-sleep"', '"seq-io"'))
    monkeypatch.setattr(lessons, "__path__", [*lessons.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "gilviz.lab.lessons.seq_io_again", raising=False)
    try:
        with pytest.raises(ValueError, match="two lesson modules define the key seq-io"):
            lessons.discover()
    finally:
        sys.modules.pop("gilviz.lab.lessons.seq_io_again", None)
    (tmp_path / "seq_io_again.py").write_text(THROWAWAY)  # its own key: found, after the others
    sys.modules.pop("gilviz.lab.lessons.seq_io_again", None)
    try:
        found = lessons.discover()
    finally:
        sys.modules.pop("gilviz.lab.lessons.seq_io_again", None)
    assert [s.key for s in found] == [*KEYS, "one-sleep"]
