"""Unsynchronised updates get lost; a Lock fixes it at a cost."""

from __future__ import annotations

import sys

from gilviz.lab import protocol, textbook
from gilviz.lab.lesson import Lesson, source
from gilviz.lab.wording import rate

RACE_SWITCH_INTERVAL = 1e-4


def updates_per_s(result: dict, wall_s: float) -> float | None:
    """A race's throughput: updates counted per second of the run (from expected and wall time for old recordings)."""
    race = result.get("race")
    if not race:
        return None
    if race.get("updates_per_s") is not None:
        return float(race["updates_per_s"])
    return race["expected"] / wall_s if wall_s > 0 else None


class Race(Lesson):
    order = 80
    key = "race"
    title = "Race · shared counter"
    summary = "unsynchronised updates get lost; a Lock fixes it at a cost"
    lesson = (
        "Threads share globals. A read-modify-write that another thread can interrupt loses "
        "updates; `with lock:` makes it exact, at a cost in throughput. Each thread counts its "
        "own updates for the same time with the lock off and on, so expected is their sum and "
        "the lock's cost is updates per second. The switch interval is shortened to 0.1 ms so "
        "the race shows within a short run."
    )
    code = (
        "sys.setswitchinterval(1e-4)  # shortened to make the race visible\n\n"
        + source(textbook.bump, textbook.add, textbook.add_locked)
        + "\n\n# each thread: add(1000) (or add_locked) again and again for T seconds,\n"
        "# counting its own updates: expected = their sum, actual = counter"
    )
    workers = 4
    threads_side_by_side = True
    variant_option = "lock"
    variant_flag = "--lock"
    variant_misuse = "--lock is for the race scenario; %s has no lock to turn on (drop --lock, or run race)"
    sections = ("race",)
    text_place = "before"
    why = "lost_updates"
    panel = "race_panel"
    bench_rows = (
        (7, "race, lock off", {"workers": None, "lock": False}),
        (8, "race, lock on", {"workers": None, "lock": True}),
    )

    def result_fields(self) -> dict[tuple[str, ...], dict[str, tuple[str, bool]]]:
        return {
            ("race",): {  # the panels and reports read these without asking
                "expected": ("count", True),
                "actual": ("count", True),
                "lost": ("signed", True),
                "lock": ("flag", True),
                "switch_interval_s": ("seconds", True),
                "duration_s": ("seconds", False),
                "updates_per_s": ("amount or none", False),
            }
        }

    def variant(self, config) -> str | None:
        return "lock %s" % ("on" if config.lock else "off")

    def run(self, ctx) -> float:
        """Every thread updates the counter for the same time; the lock's cost is in updates per second."""
        if ctx.switch_interval_s is None:  # shortened so the race shows; `--switch-interval` overrides it
            sys.setswitchinterval(RACE_SWITCH_INTERVAL)
        textbook.counter = 0
        seconds = ctx.size.race_s
        wall = ctx.threads("race", (seconds, ctx.lock), 0)
        done = sum(s.done for s in ctx.board.slots() if s.role == protocol.WORKER)
        ctx.record(
            "race",
            {
                "expected": done,
                "actual": textbook.counter,
                "lost": done - textbook.counter,
                "lock": ctx.lock,
                "switch_interval_s": round(ctx.in_effect_s, 9),
                "duration_s": seconds,
                "updates_per_s": done / wall if wall > 0 else None,
            },
        )
        return wall

    def own_figure(self, *, workers: int, cores: int, gil_enabled: bool, lock: bool, interval_s: float) -> tuple | None:
        if lock:
            return ("lost updates", "", 0.0, "with the lock: none")
        return ("lost updates", "", None, "without the lock: some (how many depends on timing)")

    def measure(self, result: dict, theory: float | None, worker_share) -> tuple[float | None, float | None]:
        return (result.get("race") or {}).get("lost"), theory

    def results_note(self, result: dict) -> str | None:
        race = result.get("race")
        return "lost %s of %s" % (f"{race['lost']:,}", f"{race['expected']:,}") if race else None

    def text_lines(self, doc: dict) -> list[str]:
        race = doc.get("race")
        if not race:
            return []
        lines = [
            "race: expected %d · actual %d · lost %d · lock %s · switch interval %g ms"
            % (race["expected"], race["actual"], race["lost"], "on" if race["lock"] else "off", race["switch_interval_s"] * 1000)
        ]
        if race.get("updates_per_s"):
            lines.append(
                "%s updates/s: each thread counted its own updates for %g s" % (rate(race["updates_per_s"]), race["duration_s"])
            )
        return lines


LESSON = Race()
