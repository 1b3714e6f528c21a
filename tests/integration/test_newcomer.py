"""What a newcomer still tripped over after issue 20's first pass: toasts over the lanes, the footer's
word for c, the race panel's aside in a replay, a MainThread lane that stopped short, the presenter's
lanes; each checked through the app."""

from __future__ import annotations

import time

from gilviz.states import STATES
from gilviz.ui.app import replay_app

from conftest import ROOT, trace, until

TRACES = ROOT / "assets" / "traces"


def overlaps(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


async def test_at_80x24_toasts_keep_off_the_lanes_and_say_it_in_a_line(tmp_path):
    from textual.widgets._toast import Toast

    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s, screenshot_dir=str(tmp_path))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("s")  # "screenshot saved" and its path, the toast with a title
        await until(pilot, lambda: list(tmp_path.iterdir()))
        app.notify("5 runs, each after a baseline run: the median and range come at the end", timeout=4)
        shown = lambda: [toast for toast in app.screen.query(Toast) if toast.region.height]  # noqa: E731
        await until(pilot, lambda: len(shown()) == 2)
        await pilot.pause()
        box = app.query_one("#lanes-box").region
        toasts = list(app.screen.query(Toast))
        for toast in toasts:
            assert not overlaps(toast.region, box), (toast.region, box)
            assert toast.region.bottom <= app.size.height, toast.region  # on screen, over the footer's line at most
        said = {str(toast._notification.message): toast.region for toast in toasts}
        saved = next(text for text in said if text.startswith("screenshot saved: "))  # its title, on its line
        assert str(tmp_path) in saved, said
        runs = next(region for text, region in said.items() if text.startswith("5 runs"))
        assert runs.height == 1, runs  # a text that fits the width: one line, no padding round it


def footer_row(app):
    from gilviz.ui.png import screen_lines

    return "".join(seg.text for seg in screen_lines(app)[-1])


async def test_while_a_run_is_pinned_the_footer_says_c_unpins():
    from gilviz.model import RunConfig
    from gilviz.ui.app import scenario_app

    app = scenario_app(RunConfig("seq-io", size="tiny"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.finished is not None, timeout=60)
        await until(pilot, lambda: "c pin" in footer_row(app))
        await pilot.press("c")
        await until(pilot, lambda: app.state.pinned is not None and "c unpin" in footer_row(app))
        assert "c pin " not in footer_row(app)
        await pilot.press("c")
        await until(pilot, lambda: app.state.pinned is None and "c pin" in footer_row(app))
        assert "unpin" not in footer_row(app)
        await pilot.press("q")


def panel_words(app) -> str:
    return " ".join(str(app.query_one("#race-panel").render()).split())  # the race's panel, in the box #panel


async def test_the_race_panel_at_the_cursor_names_l_only_where_l_works():
    from gilviz.model import RunConfig
    from gilviz.ui.app import scenario_app

    t = trace("race-lock-on")  # one run: the other way has not run, where a live screen says "l runs the other"
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("home")
        await until(pilot, lambda: app.cursor_lanes().cursor is not None and "at t = " in panel_words(app))
        words = panel_words(app)
        assert "not run yet" in words and "l runs" not in words and "l toggles" not in words, words

    app = scenario_app(RunConfig("race", size="tiny"))  # live, where l does switch the lock and re-run
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.finished is not None, timeout=60)
        await pilot.press("home")
        await until(pilot, lambda: app.cursor_lanes().cursor is not None and "at t = " in panel_words(app))
        assert "(l runs the other)" in panel_words(app), panel_words(app)
        await pilot.press("q")


ALL_TRACES = sorted(p.name.split(".")[0] for p in TRACES.glob("*.jsonl.gz"))


async def test_a_finished_lane_is_drawn_to_the_last_column_its_thread_lived_in():
    """A MainThread idle in its join to the run's end stopped a column or two before its workers: the last
    bin, which the threads' ends fall in, was mostly "ended" and drawn blank for the idle thread."""
    from gilviz.states import STATES

    lived_states = [i for i, s in enumerate(STATES) if s not in ("done", "not_started")]

    def lived_in(col) -> float:  # a thread's time in a column, from its start to its end
        return sum(col[i] for i in lived_states)

    for name in ALL_TRACES:
        t = trace(name)
        app = replay_app(t, at=t.after_end_s)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            lanes = app.query_one("#lanes")
            lines = [lanes.render_line(y).text for y in range(lanes.size.height)]
            first = len(lines[1]) - lanes.shares_width - 1 - lanes.columns  # where the columns start
            ends = {}
            for index, row in enumerate(lanes.rows):
                if row.lane is None:
                    continue
                times = lanes.row_columns(row)
                at_all = [c for c, col in enumerate(times) if col is not None and lived_in(col) > 0]
                lived = [c for c in at_all if lived_in(times[c]) >= 0.05 * sum(times[c][: len(STATES)])]
                tall = lines[1 + index * lanes.row_height : 1 + (index + 1) * lanes.row_height]
                drawn = [c for c in range(len(times)) if any(line[first + c] != " " for line in tall)]
                assert lived and drawn and lived[-1] <= drawn[-1] <= at_all[-1], (name, row.label, lived[-3:], drawn[-3:])
                ends[row.label] = drawn[-1]
            if name.startswith("race"):  # the MainThread waits in its join until its workers end: all end together
                assert len(set(ends.values())) == 1, (name, ends)


async def test_presenting_the_figures_under_the_names_follow_the_time_cursor():
    from gilviz.ui.cursor import column_shares

    t = trace("race-lock-on")
    app = replay_app(t, at=t.after_end_s, present=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lanes = app.query_one("#lanes")
        assert lanes.figures_below and lanes.columns >= 0.7 * 120, lanes.columns
        await pilot.press("home", "shift+right", "shift+right")
        await until(pilot, lambda: lanes.cursor is not None and "figures at t = " in lanes.render_line(0).text)
        column = lanes.geometry().column_of(lanes.cursor)
        lines = [lanes.render_line(y).text for y in range(lanes.size.height)]
        workers = [row for row in lanes.rows if row.lane is not None and row.lane.role == "worker"]
        assert workers
        for row in workers:
            at = next(i for i, line in enumerate(lines) if line.startswith(row.label))
            said = column_shares(lanes.row_columns(row)[column], 2)
            assert said and lines[at + 1].startswith("  " + said + " "), (lines[at + 1], said)


DONE_BUT_ALIVE = """
import os, sys, threading
from gilviz.lab import protocol
from gilviz.lab.board import Board
board = Board.attach(sys.argv[1])
board.register(0, os.getpid(), threading.get_native_id(), protocol.THREAD, protocol.MAIN, "MainThread")
board.set_phase(0, protocol.IO)
board.mark_started()
sys.stdin.readline()  # blocked in read: it parks
board.set_phase(0, protocol.DONE)  # declared done, as the lab's main thread once it has joined its workers ...
sys.stdin.readline()  # ... and alive a while longer
board.mark_finished()
sys.stdin.readline()
"""


def test_a_parked_thread_that_declares_itself_done_was_in_its_wait_until_then(board):
    """The lab's MainThread waits in its join, parked (read every 0.5 s at most), and declares itself done
    when its workers have ended: its interval since its last reading was all counted "ended", so its lane
    stopped up to half a second before its workers' in a finished run."""
    import os
    import subprocess
    import sys

    from gilviz.probe.sampler import Sampler
    from gilviz.timeline import Timeline

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", DONE_BUT_ALIVE, board.path], stdin=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 20
        while not board.slots() or not board.run_window_ns()[0]:
            assert time.monotonic() < deadline
        timeline = Timeline()
        sampler = Sampler(board, timeline)

        def tick_until(condition):
            deadline = time.monotonic() + 20
            while not condition():
                assert time.monotonic() < deadline, "timed out"
                sampler.tick()
                time.sleep(0.01)  # the sampler's own pace

        lane = lambda: sampler._lanes.get(0)  # noqa: E731
        since = lambda: time.monotonic_ns() - (lane().rest_until - lane().rest_ns)  # noqa: E731  (its last reading)
        tick_until(lambda: lane() is not None and lane().rest_ns >= 300_000_000 and since() > 200_000_000)  # parked a while
        child.stdin.write("done\n")
        child.stdin.flush()
        tick_until(lambda: board.read_slot(0).phase == 8 and lane().rest_until == 0)  # read since it said so
        declared = board.read_slot(0).t_phase / 1e9
        child.stdin.write("end\n")
        child.stdin.flush()
        tick_until(lambda: board.run_window_ns()[1] and timeline.snapshot().window[1])
        sampler.tick()
        child.stdin.write("exit\n")
        child.stdin.flush()
        assert child.wait(timeout=20) == 0
        snap = timeline.snapshot()
        (view,) = snap.lanes
        times = dict(zip(STATES, view.run_times))
        start, end = snap.window
        assert times["io"] >= declared - start - 0.03, (times, declared - start)  # in its read until it said done
        assert times["done"] <= end - declared + 0.03, (times, end - declared)
    finally:
        child.kill()
        child.wait()
        sampler.close()


async def test_a_toast_on_screen_is_not_stacked_again():
    from textual.widgets._toast import Toast

    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("left", *["plus"] * 8)  # to the finest zoom, and on: "the finest" each time
        await until(pilot, lambda: any(toast.region.height for toast in app.screen.query(Toast)))
        await pilot.pause()
        said = [str(toast._notification.message) for toast in app.screen.query(Toast)]
        assert said.count("the finest: one bin a column") == 1, said


async def test_the_legend_names_every_state_drawn_whole_at_120x36():
    """Beside the scenario menu the long names ran off the edge: a live race with the lock drew seven states,
    "▓ running without the GIL (C code)" last, cut to "▓ running"."""
    t = trace("race-lock-on")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        box, lanes = app.query_one("#legend"), app.query_one("#lanes")
        await until(pilot, lambda: box.content_size.width > 0)
        drawn = ["running", "gil_wait", "core_wait", "lock_wait", "idle", "unseen", "no_gil"]  # as that live run drew
        lanes.visible_states = lambda: drawn
        app.draw_lanes()
        await pilot.pause()
        said = str(box.render()).rstrip()
        assert len(said) <= box.content_size.width, (said, box.content_size.width)
        assert len(said.split("  ")) == len(drawn) and said.split("  ")[-1].startswith("▓"), said


def test_a_run_too_short_for_a_cpu_reading_does_not_say_one_is_coming():
    """A tiny run (0.2 s, five of them under R) ended before the meters' first reading; its finished
    picture still said "waiting for the first reading…"."""
    from gilviz.timeline import Snapshot
    from gilviz.ui.meters import meter_lines

    def lines(window):
        snap = Snapshot(t=1.0, bin_s=0.05, lanes=(), cpu=(), cpu_history=(), window=window, coarse=False)
        return [" ".join(text for text, _ in line) for line in meter_lines(snap, False, 80, cores=2)]

    live, ended = lines((0.5, 0.0)), lines((0.5, 0.7))
    assert len(live) == len(ended) == 3  # a line a core either way: the lanes above keep their height
    assert "waiting for the first reading" in live[-1]
    assert "waiting" not in ended[-1] and "not read" in ended[-1], ended
