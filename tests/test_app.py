"""The dashboard driven by a pilot: keys switch scenarios, l flips the lock, q leaves nothing."""

import asyncio
import time

import psutil
from gilviz.measure import RunConfig
from gilviz.ui.app import GilvizApp


async def until(pilot, condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def lab_children():
    return [p for p in psutil.Process().children(recursive=True) if "gilviz.lab" in " ".join(p.cmdline())]


async def test_keys_switch_scenarios_and_q_leaves_no_process():
    app = GilvizApp(RunConfig("threads-io", size="tiny"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.results)  # the baseline, then the run itself
        assert "threads-io" in app.results[0]
        await pilot.press("4")
        assert app.config.scenario == "threads-cpu"
        await until(pilot, lambda: app.results[0].startswith("threads-cpu"))
        await pilot.press("n")
        assert app.config.scenario == "procs-cpu"
        await pilot.press("p", "p")
        assert app.config.scenario == "seq-cpu"
        await pilot.press("q")
    await asyncio.sleep(1.0)  # the last run's lab ends within its grace period
    assert lab_children() == []


async def test_l_flips_the_lock_and_the_next_run_loses_nothing():
    app = GilvizApp(RunConfig("race", size="tiny"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.results)
        assert app.results[0].startswith("race/lock off")
        await pilot.press("l")
        assert app.config.lock is True
        await until(pilot, lambda: app.results[0].startswith("race/lock on"))
        assert "lost 0 of 400000" in app.results[0]


async def test_pause_freezes_the_lanes_while_the_run_goes_on():
    app = GilvizApp(RunConfig("threads-cpu", size="demo"))
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        await until(pilot, lambda: lanes.snapshot is not None and len(lanes.snapshot.lanes) >= 3)
        await pilot.press("space")
        frozen = lanes.snapshot
        await pilot.pause(0.5)
        assert lanes.snapshot is frozen
        await pilot.press("space")
        await until(pilot, lambda: lanes.snapshot is not frozen, timeout=5)
        await pilot.press("q")
