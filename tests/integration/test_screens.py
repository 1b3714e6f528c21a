"""The talk-ready screens: layout for projection, compare, presenter mode, honest stills, and what a
new user tripped over (issue 12), each checked through the app or the pure text builders."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from gilviz.model import RunConfig
from gilviz.ui.app import replay_app, scenario_app
from gilviz.ui.header import header_text
from gilviz.ui.lanes import column_label
from gilviz.ui.lesson import values_line
from gilviz.ui.state import DashboardState

from conftest import ROOT, gilviz, lane_lines, trace, until

TRACES = ROOT / "assets" / "traces"


async def test_at_200x50_a_finished_run_fills_the_lanes():
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        lanes = app.query_one("#lanes")
        lines = lane_lines(app)
        bars = [line for line in lines[1:] if any(ch in line for ch in "▁▂▃▄▅▆▇█▒▚")]
        assert len(bars) >= 6, lines  # rows several lines tall: the bars read from the back of a room
        spans = [len(line[25 : 25 + lanes.columns].strip()) for line in bars]
        assert max(spans) >= 100, spans  # the run fitted to the width
        assert "the whole run" in lines[0]


async def test_the_footer_offers_only_the_keys_that_apply():
    race = replay_app(trace("race-lock-off"), at=0.5)
    async with race.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert race.dashboard.check_action("lock", ()) is False  # a replay cannot start runs
    live_race = scenario_app(RunConfig("race", size="tiny"))
    async with live_race.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert live_race.dashboard.check_action("lock", ()) and not live_race.dashboard.check_action("executor", ())
        footer = " ".join(b.binding.description for b in live_race.active_bindings.values() if b.binding.show and b.enabled)
        assert "lock" in footer and "help" in footer and "quit" in footer
        await pilot.press("q")
    threads = scenario_app(RunConfig("threads-cpu", size="tiny"))
    async with threads.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not threads.dashboard.check_action("lock", ()) and threads.dashboard.check_action("slow_motion", ())
        await pilot.press("q")


async def test_resuming_after_the_run_ended_shows_its_end():
    app = scenario_app(RunConfig("threads-io", size="tiny"))
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        await until(pilot, lambda: app.state.status == "live" and lanes.snapshot is not None and lanes.snapshot.lanes)
        await pilot.press("space")
        frozen = lanes.snapshot
        await until(pilot, lambda: app.state.finished is not None)
        assert lanes.snapshot is frozen  # paused: the picture waits
        await pilot.press("space")
        await pilot.pause()
        assert lanes.snapshot is app.state.finished.snapshot  # resumed: the run's end, not the pause point
        await pilot.press("q")


async def test_presenter_mode_keeps_lanes_meters_and_the_figure():
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s, present=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert not app.query_one("#scenarios").display or not app.query_one("#scenarios").region
        assert app.query_one("#figure").region.height >= 1
        assert "speed-up" in str(app.query_one("#figure").render()) and "theory 1×" in str(app.query_one("#figure").render())
        assert app.query_one("#lower").region.height == 0
        await pilot.press("P")
        await pilot.pause()
        assert app.query_one("#lower").region.height > 0


async def test_a_pinned_run_is_drawn_above_the_next_on_one_time_scale():
    t = trace("race-off-then-on")
    first = t.runs[0].config
    app = replay_app(t, at=t.after_end_s, pin=first)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        pinned, lanes = app.query_one("#pinned"), app.query_one("#lanes")
        assert pinned.display and app.state.pinned is not None and app.state.pinned.config == first
        assert pinned.aligned == lanes.aligned > 0  # one scale for both
        assert "race/lock off" in pinned.title and "race/lock on" in lanes.title


def test_screenshot_compare_runs_both_and_draws_them_together(tmp_path):
    out = gilviz("screenshot", "threads-io", "--work-size", "tiny", "--compare", "seq-io", "-o", str(tmp_path / "c.svg"))
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "c.svg").read_text()
    assert "pinned:" in svg.replace("&#160;", " ") and "now:" in svg.replace("&#160;", " ")


def test_a_still_of_a_live_run_is_not_a_replay_and_has_no_footer(tmp_path):
    out = gilviz("screenshot", "threads-io", "--work-size", "tiny", "-o", str(tmp_path / "s.svg"))
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "s.svg").read_text().replace("&#160;", " ")
    assert "replay" not in svg and "finished" in svg
    assert "q quit" not in svg  # no footer of keys on a slide
    out = gilviz("screenshot", "threads-io", "--work-size", "tiny", "--footer", "-o", str(tmp_path / "f.svg"))
    assert "quit" in (tmp_path / "f.svg").read_text().replace("&#160;", " ")


def test_at_past_the_end_is_refused_with_the_length(tmp_path):
    out = gilviz("screenshot", str(TRACES / "threads-io.jsonl.gz"), "--at", "999", "-o", str(tmp_path / "x.svg"))
    assert out.returncode == 2 and "past the end" in out.stderr and "s long" in out.stderr
    assert not (tmp_path / "x.svg").exists()


def test_an_incomplete_trace_says_so_and_still_shows_what_it_holds(tmp_path):
    import gzip

    lines = gzip.decompress((TRACES / "threads-cpu.jsonl.gz").read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[: len(lines) // 2]))  # at a line boundary: every line is whole
    out = gilviz("screenshot", str(cut), "-o", str(tmp_path / "cut.svg"))
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "cut.svg").read_text().replace("&#160;", " ")
    assert "incomplete trace (no end record)" in svg and "worker-1" in svg


def test_without_a_terminal_the_dashboard_exits_2_at_once():
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "gilviz"], stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=20
    )
    assert out.returncode == 2 and "needs a terminal" in out.stderr and "gilviz run" in out.stderr
    assert time.monotonic() - started < 5  # the interpreter's own start-up is most of it; no hang


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "race", "--executor", "process"], "--executor is for the pools scenario"),
        (["run", "threads-cpu", "--lock"], "--lock is for the race scenario"),
        (["--screenshot-dir", "/no/such/dir"], "--screenshot-dir /no/such/dir: no such directory"),
        (["record", "threads-io", "-o", "/no/such/dir/x.jsonl"], "cannot write /no/such/dir/x.jsonl: no such directory"),
    ],
)
def test_options_that_cannot_apply_are_refused_at_once(args, message):
    out = gilviz(*args)
    assert out.returncode == 2 and message in out.stderr and out.stderr.count("\n") == 1, out.stderr


def state_for(config, python=None, status="live"):
    state = DashboardState(config, python=python, cores=2)
    state.status = status
    return state


PY = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": True, "free_threaded_build": False}


@pytest.mark.parametrize("width", [200, 120, 100, 80, 60])
def test_the_header_shortens_by_priority_never_mid_word(width):
    state = state_for(RunConfig("race", workers=4), PY, "measuring the sequential baseline first")
    text = header_text(state, width).plain
    assert len(text) <= width, (width, text)
    words = set(
        [
            "gilviz",
            "measuring",
            "the",
            "sequential",
            "baseline",
            "first",
            "8/15",
            "Race",
            "·",
            "shared",
            "counter",
            "4",
            "workers",
            "lock",
            "off",
        ]
    )
    words |= set(["CPython", "3.11.7", "GIL", "enabled", "on", "2", "cores", "8/15", "Race"])
    assert all(word in words for word in text.split()), text
    assert "lock off" in text  # what is being shown survives the longest


def test_the_header_at_120_keeps_cores_and_the_gil():
    text = header_text(state_for(RunConfig("threads-cpu"), PY, "finished"), 120).plain
    assert text.endswith("GIL enabled · 2 cores")


def test_wording_workers_columns_and_code_values():
    assert column_label(1000) == "1 column = 1 s" and column_label(100) == "1 column = 100 ms"
    assert values_line(RunConfig("threads-cpu")) == "# as it runs here: workers = 2, N = 80_000_000"
    assert values_line(RunConfig("threads-io", size="tiny")) == "# as it runs here: workers = 2, S = 0.2  # seconds"


async def test_a_replay_waits_with_words_of_its_own():
    t = trace("threads-cpu")
    app = replay_app(t, at=0.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "replaying" in app.query_one("#lanes").waiting_text


async def test_without_colour_a_bar_has_no_background(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    t = trace("threads-cpu")
    app = replay_app(t, at=t.mid_run_s())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lanes = app.query_one("#lanes")
        own = lanes.rich_style.bgcolor  # every cell sits on the panel's own background, and no bar brings another
        styles = [seg.style for y in range(lanes.size.height) for seg in lanes._line(y) if seg.style is not None]
        assert styles and all(style.bgcolor == own for style in styles)
        assert {style.color for style in styles} - {lanes.rich_style.color, None}  # the bars are drawn, in their own colours


def test_the_legend_says_waiting_for_a_core_with_its_own_glyph():
    from gilviz.ui.drawing import GLYPHS, LEGEND

    assert LEGEND["core_wait"] == "waiting for a core" and LEGEND["gil_wait"] == "waiting for the GIL"
    assert len({GLYPHS[s] for s in LEGEND}) == len(LEGEND)  # every state its own glyph, readable without colour


def test_results_list_the_baseline_behind_every_speed_up():
    from gilviz.sources.replay import ReplaySource
    from gilviz.ui.results import result_lines

    reports = [e.report for e in ReplaySource(trace("threads-cpu")).until(99) if getattr(e, "report", None)]
    lines = result_lines(reports[-1])
    assert "2 workers" in lines[0] and "×" in lines[0]
    assert lines[1].startswith("  = seq-cpu ") and "÷" in lines[1]


async def test_capital_r_runs_five_times_and_shows_the_median_and_range():
    app = scenario_app(RunConfig("threads-io", size="tiny"))
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.state.reports)
        await pilot.press("R")
        await until(pilot, lambda: app.state.reports and app.state.reports[0].repeats is not None, timeout=60)
        spread = app.state.reports[0].speedup_spread
        assert spread is not None and spread.n == 5 and spread.lo <= spread.median <= spread.hi
        assert "median of 5 runs" in str(app.query_one("#results").render())
        await pilot.press("q")


def test_lanes_kept_from_frame_to_frame_are_drawn_as_if_drawn_afresh():
    """While a run scrolls by, the columns that can no longer change are kept between frames and only
    the new ones made; every line must still show exactly what drawing every cell anew shows."""
    import asyncio

    from gilviz.sources.replay import event_for
    from gilviz.trace import frames

    def cells(segments) -> list:
        return [(ch, seg.style) for seg in segments for ch in seg.text]

    async def check() -> None:
        t = trace("threads-cpu")
        run = t.runs[-1]
        live = [f for f in frames(t) if f.kind == "snapshot" and f.run is run and f.snapshot.lanes and not f.snapshot.window[1]]
        app = replay_app(t, at=0.0)
        async with app.run_test(size=(120, 36)) as pilot:
            lanes = app.query_one("#lanes")
            compared = 0
            for i, frame in enumerate(live[::3]):
                app.apply(event_for(frame))
                if i == len(live[::3]) // 2:
                    lanes.zoom = 0  # a change of scale mid-way: the kept columns are for the other
                await pilot.pause()
                for y in range(1, lanes.size.height):
                    kept = cells(lanes.render_line(y))
                    lanes.cells_apart = True  # every cell made anew
                    afresh = cells(lanes.render_line(y))
                    lanes.cells_apart = False
                    assert kept == afresh, (i, y)
                    compared += 1
            assert compared > 100
            assert lanes._kept_cells  # the frames did keep columns

    asyncio.run(check())


def test_neighbouring_cells_of_one_style_are_one_segment_on_screen_and_apart_in_an_svg(monkeypatch):
    """The terminal gets a bar as few segments; an SVG screenshot keeps a text per cell, so
    viewers that ignore textLength still draw each cell in its column."""
    import asyncio

    from gilviz.ui.kept_cells import joined
    from gilviz.ui.lanes import LanesView
    from rich.segment import Segment
    from rich.style import Style

    green, orange = Style(color="green"), Style(color="#ff8800")
    cells = [Segment("█", green), Segment("█", green), Segment("▄", orange), Segment("▄", orange), Segment("█", green)]
    assert joined(cells) == [Segment("██", green), Segment("▄▄", orange), Segment("█", green)]
    assert joined([]) == []

    async def check() -> None:
        t = trace("threads-cpu")
        app = replay_app(t, at=t.mid_run_s())
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            lanes = app.query_one("#lanes")
            y = 1 + lanes.row_height - 1  # a lane's bottom line: its bars
            on_screen = list(lanes.render_line(y))
            lanes.cells_apart = True
            apart = list(lanes.render_line(y))
            lanes.cells_apart = False
            assert len(on_screen) < len(apart) and "".join(s.text for s in on_screen) == "".join(s.text for s in apart)
            drawn_apart = []
            draw = LanesView.render_line

            def spy(view, y):
                drawn_apart.append(view.cells_apart)
                return draw(view, y)

            monkeypatch.setattr(LanesView, "render_line", spy)
            app.export_screenshot()
            assert drawn_apart and all(drawn_apart)  # the picture's lanes were drawn again, cell by cell
            assert lanes.cells_apart is False  # and the screen goes back to joined cells

    asyncio.run(check())


def test_with_stdout_piped_or_redirected_the_dashboard_exits_2_at_once():
    """`gilviz | cat` and `gilviz > file`: keys and the screen (stderr) are a terminal, stdout is not."""
    import os
    import pty
    import select

    controller, terminal = pty.openpty()
    try:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "gilviz"], stdin=terminal, stdout=subprocess.PIPE, stderr=terminal, cwd=ROOT
        )
        try:
            returncode = child.wait(timeout=20)
        finally:
            child.kill()
            child.wait()
        screen = b""
        while select.select([controller], [], [], 0)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(terminal)
        os.close(controller)
    said = screen.decode(errors="replace")
    assert returncode == 2 and "stdout is not a terminal" in said and "gilviz run" in said, said[-300:]
    assert said.strip().count("\n") == 0 and child.stdout is not None and child.stdout.read() == b""
    assert time.monotonic() - started < 5
