"""The time cursor (issue 20): a still run can be looked back through, zoomed around a moment from the
whole run to the finest bin and back; compare draws the live run as it grows; f folds and unfolds.

Every figure a test expects is read from the run itself (its window, its bins, the lanes' own
columns), never written down: the traces are real runs, and the live ones differ every time.
"""

from __future__ import annotations

import math
import re
import time

from gilviz.model import RunConfig
from gilviz.states import STATES
from gilviz.ui.app import replay_app, scenario_app
from gilviz.ui.cursor import FIT, Columns, Span, count_at, ladder, moved, placed, until
from gilviz.ui.drawing import life_shares, shares_label
from gilviz.ui.lanes import WIDE_FROM, ZOOMS

from conftest import ROOT, trace

TRACES = ROOT / "assets" / "traces"


async def wait_for(pilot, condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def ruler(app) -> str:
    return app.query_one("#lanes").render_line(0).text


def cursor_s(app) -> float:
    """The moment the ruler says the cursor is at."""
    found = re.search(r"t = (\d+\.\d\d) s", ruler(app))
    assert found, ruler(app)
    return float(found.group(1))


def figures(app) -> list[str]:
    """Each row's figures at its end, as drawn (the line's last segment)."""
    lanes = app.query_one("#lanes")
    return [lanes._line(1 + i * lanes.row_height)[-1].text.strip() for i in range(len(lanes.rows))]


def shares_from_bins(lanes, lane) -> str:
    """What a lane did in the cursor's column, added up from its bins here (not from the drawn columns)."""
    columns = lanes.geometry()
    lo, hi = columns.bins(columns.column_of(lanes.cursor))
    times = [sum(b.times[i] for b in lane.bins if lo <= b.index < hi) for i in range(len(STATES))]
    return shares_label(life_shares(times), most=3 if lanes.size.width >= WIDE_FROM else 2)


def whole_run_shown(lanes) -> bool:
    """The first column holds the run's first bin and the last its last."""
    columns, span = lanes.geometry(), lanes.span()
    first, (last_lo, last_hi) = columns.bins(0)[0], columns.bins(columns.count - 1)
    return first <= span.first < columns.bins(0)[1] and last_lo <= span.last < last_hi


# -- the arithmetic -----------------------------------------------------------------


def test_fitted_columns_cover_each_bin_once_and_the_cursor_finds_its_column():
    for bins, columns in [(61, 42), (20, 60), (300, 70), (42, 42)]:
        view = Columns(columns, fit=(100, bins, columns))
        covered = [i for c in range(columns) for i in range(*view.bins(c)) if view.column_of(i) == c]
        assert covered == list(range(100, 100 + bins))  # every bin in the column that shows it first
        span = Span(100, 100 + bins - 1, 0.0)
        index, seen = 100, [100]
        while True:  # → from the start reaches the end, one new bin each press
            nxt = moved(view, index, 1, span)
            if nxt == index:
                break
            assert nxt > index
            index = nxt
            seen.append(index)
        assert view.column_of(seen[-1]) == view.column_of(span.last)
        assert len(seen) == min(bins, columns)


def test_a_uniform_view_placed_around_a_bin_keeps_it_in_view_and_over_the_run():
    span = Span(1000, 1199, 0.0)  # 200 bins
    for per in ZOOMS:
        for at in (0.0, 0.3, 1.0):
            for index in (1000, 1100, 1199):
                last = placed(index, per, 60, span, at)
                view = Columns(60, per=per, last=last)
                assert view.column_of(index) is not None
                assert last // per <= span.last // per  # never past the run's end
                if (span.last - span.first) // per >= 60:
                    assert view.bins(0)[0] >= span.first // per * per  # nor before its start, when it is wider


def test_the_zoom_ladder_goes_from_the_finest_bin_to_the_whole_run():
    long = ladder(ZOOMS, Span(0, 1999, 0.0), 81, fits=True)
    assert long[0] == 1 and long[-1] == FIT and long[:-1] == sorted(long[:-1])
    assert all(z < 2000 / 80 for z in long[:-1])
    assert ladder(ZOOMS, Span(0, 29, 0.0), 81, fits=True) == [FIT]  # a short run fitted is already finer than a bin a column
    assert FIT not in ladder(ZOOMS, Span(0, 1999, 0.0), 81, fits=False)


# -- on a replay -----------------------------------------------------------------------


async def test_on_a_replay_the_cursor_moves_jumps_and_the_rows_show_that_column():
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        snap = lanes.snapshot
        wall = snap.window[1] - snap.window[0]
        assert "t = " not in ruler(app)
        await pilot.press("end")
        assert lanes.cursor is not None and "at the cursor" in ruler(app)
        column_s = lanes.geometry().bins(1)[0] * snap.bin_s - lanes.geometry().bins(0)[0] * snap.bin_s
        assert abs(cursor_s(app) - wall) <= column_s + snap.bin_s  # End: the run's end, to a column
        drawn = figures(app)
        assert drawn == [shares_from_bins(lanes, row.lane) for row in lanes.rows]
        await pilot.press("home")
        assert cursor_s(app) == 0.0
        while lanes.geometry().column_of(lanes.cursor) < lanes.geometry().count // 2:  # to the run's middle
            await pilot.press("shift+right")
        middle = cursor_s(app)
        assert 0 < middle < wall
        workers = figures(app)[1:]
        assert all("GIL" in f and "run" in f for f in workers), workers  # the two take turns on the GIL
        assert figures(app) == [shares_from_bins(lanes, row.lane) for row in lanes.rows]
        await pilot.press("left")
        assert cursor_s(app) < middle
        await pilot.press("right", "right")
        assert cursor_s(app) > middle
        await pilot.press("escape")
        assert lanes.cursor is None and "t = " not in ruler(app)


async def test_on_a_replay_plus_zooms_to_the_finest_bin_and_minus_back_to_the_whole_run():
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        assert whole_run_shown(lanes)
        await pilot.press("home", *["shift+right"] * 3)
        moment = cursor_s(app)
        widths = [lanes.bins_per_column]
        for _ in range(len(ZOOMS) + 2):
            await pilot.press("plus")
            widths.append(lanes.bins_per_column)
            assert lanes.geometry().column_of(lanes.cursor) is not None  # zoomed around the cursor
        assert widths[-1] == 1 and "1 column = 50 ms" in ruler(app)  # the finest: one bin a column
        assert widths == sorted(widths, reverse=True)  # never wraps
        assert abs(cursor_s(app) - moment) < 0.5
        for _ in range(8):  # past the view's left edge: it follows the cursor back in time
            await pilot.press("shift+left")
        assert cursor_s(app) == 0.0 and lanes.geometry().column_of(lanes.cursor) == 0
        for _ in range(len(ZOOMS) + 2):
            await pilot.press("minus")
        assert lanes.fitted and whole_run_shown(lanes)  # the whole run, and no further
        await pilot.press("minus")
        assert lanes.fitted and whole_run_shown(lanes)


async def test_a_slow_motion_replay_can_be_looked_back_through_to_its_start():
    t = trace("threads-cpu-slow")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        assert not whole_run_shown(lanes)  # 10 ms columns: the run's last second or so
        await pilot.press("home")
        assert cursor_s(app) == 0.0 and lanes.geometry().column_of(lanes.span().first) == 0
        for _ in range(len(ZOOMS) + 1):
            await pilot.press("minus")
        assert whole_run_shown(lanes)


async def test_the_race_panel_shows_the_counter_at_the_cursor():
    t = trace("race-lock-off")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 40)) as pilot:
        lanes, panel = app.query_one("#lanes"), app.query_one("#race-panel")
        await pilot.press("home")
        counters = []
        while True:
            text = str(panel.render())
            assert "t = %.2f s" % cursor_s(app) in text
            found = re.search(r"counter ([\d,]+)", text)
            counters.append(int(found.group(1).replace(",", "")) if found else 0)
            before = lanes.cursor
            await pilot.press("shift+right")
            if lanes.cursor == before:
                break
        assert counters == sorted(counters) and counters[-1] > counters[0]  # it grows with time
        snap = lanes.snapshot
        last = max(lane.count for lane in until(snap, lanes.cursor).lanes if lane.role == "worker")
        assert counters[-1] == last


async def test_the_queue_panel_counts_up_to_the_cursor():
    t = trace("queue")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 40)) as pilot:
        lanes, panel = app.query_one("#lanes"), app.query_one("#queue-panel")
        final = int(re.search(r"put (\d+)", str(panel.render())).group(1))
        await pilot.press("home", "shift+right")
        put = int(re.search(r"put (\d+)", str(panel.render())).group(1))
        producer = next(lane for lane in lanes.snapshot.lanes if lane.name == "producer")
        assert 0 < put < final and put == count_at(producer.bins, lanes.cursor)  # as far as the cursor


async def test_s_saves_what_the_cursor_shows(tmp_path):
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s, screenshot_dir=str(tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("home", "shift+right")
        moment = "t = %.2f s" % cursor_s(app)
        await pilot.press("s")
        await pilot.pause()
        (saved,) = list(tmp_path.iterdir())
        assert moment in saved.read_text().replace("&#160;", " ")


# -- on live runs ------------------------------------------------------------------------


async def test_on_a_finished_live_run_the_cursor_moves_and_zooms_and_not_while_it_runs():
    app = scenario_app(RunConfig("threads-cpu", size="tiny", iterations=30_000_000))  # a few seconds: zoom has room
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        await wait_for(pilot, lambda: app.state.status == "live" and lanes.snapshot is not None and lanes.rows)
        await pilot.press("left")  # live: nothing to move through
        assert lanes.cursor is None and not app.dashboard.check_action("cursor", ())
        await wait_for(pilot, lambda: app.state.finished is not None)
        assert app.dashboard.check_action("cursor", ())
        snap = lanes.snapshot
        wall = snap.window[1] - snap.window[0]
        await pilot.press("end")
        assert abs(cursor_s(app) - wall) < 0.2 + lanes.bins_per_column * snap.bin_s
        await pilot.press("home")
        assert cursor_s(app) == 0.0
        # the whole run fitted (more than a bin a column when it outlasts the width: its length is the machine's)
        assert not lanes.view_end and lanes.fitted and whole_run_shown(lanes)
        for _ in range(len(ZOOMS) + 1):
            await pilot.press("plus")
        assert lanes.bins_per_column == 1 and lanes.geometry().column_of(lanes.cursor) == 0
        for _ in range(len(ZOOMS) + 1):
            await pilot.press("minus")
        assert whole_run_shown(lanes)
        await pilot.press("r")  # a new run: no cursor
        assert lanes.cursor is None
        await pilot.press("q")


async def test_a_paused_live_run_is_held_and_the_cursor_goes_when_it_resumes():
    # long enough not to end while the test looks at it (q ends it), however fast the machine
    app = scenario_app(RunConfig("threads-cpu", size="tiny", iterations=300_000_000))
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        await wait_for(pilot, lambda: app.state.status == "live" and lanes.snapshot is not None and lanes.rows)
        await wait_for(pilot, lambda: lanes.snapshot.window[0] and lanes.snapshot.t - lanes.snapshot.window[0] > 1.0)
        await pilot.press("space", "left")
        assert lanes.cursor is not None and lanes.frozen, (
            app.state.paused,
            app.state.status,
            app.state.pinned,
            lanes.snapshot.window,
            lanes.span(),
        )
        held = lanes.snapshot
        await pilot.press("home")
        assert cursor_s(app) == 0.0
        for _ in range(len(ZOOMS) + 1):
            await pilot.press("minus")
        assert whole_run_shown(lanes), (
            lanes.geometry(),
            lanes.span(),
            lanes.fitted,
            lanes.zoom,
            lanes.view_end,
        )  # the run so far, fitted
        assert lanes.snapshot is held
        await pilot.press("space")
        assert lanes.cursor is None and not lanes.frozen
        await wait_for(pilot, lambda: lanes.snapshot is not held, timeout=10)
        await pilot.press("q")


def drawn_bins(lanes) -> int:
    """How many bins of the run the main thread's row shows (a short run's bins are drawn several columns wide)."""
    row = lanes.rows[0]
    cells = sum(1 for times in lanes.row_columns(row) if times is not None and sum(times) > 0)
    return math.ceil(cells / lanes.stretch)


async def test_compare_draws_the_next_run_as_it_grows_on_the_pinned_run_s_scale():
    app = scenario_app(RunConfig("threads-cpu", size="tiny", iterations=40_000_000))  # long enough to be drawn growing
    async with app.run_test(size=(160, 45)) as pilot:
        lanes, pinned = app.query_one("#lanes"), app.query_one("#pinned")
        await wait_for(pilot, lambda: app.state.finished is not None)
        await pilot.press("c")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.state.status == "live" and lanes.snapshot is not None and lanes.rows)
        seen = []  # (bins the run has lived, bins drawn), while it runs
        while app.state.finished is None:
            snap = lanes.snapshot
            if snap.window[0] and lanes.aligned:
                lived = (snap.t - snap.window[0]) / snap.bin_s / lanes.aligned
                seen.append((lived, drawn_bins(lanes)))
            await pilot.pause(0.1)
        grown = [(lived, drawn) for lived, drawn in seen if lived > 8]
        assert grown, seen
        assert all(drawn >= lived - 4 for lived, drawn in grown), grown  # the now: block keeps up with the run
        await pilot.pause(0.3)
        assert lanes.aligned == pinned.aligned
        now, before = drawn_bins(lanes), drawn_bins(pinned)
        wall_now, wall_before = app.state.finished.window_s, app.state.pinned.window_s
        assert abs(now / before - wall_now / wall_before) < 0.2, (now, before, wall_now, wall_before)
        await pilot.press("q")


def test_snapshot_of_the_cursor_on_the_race_with_the_lock(snap_compare):
    t = trace("race-lock-on")
    press = ["home", *["shift+right"] * 3]
    assert snap_compare(replay_app(t, at=t.after_end_s), press=press, terminal_size=(120, 36))


# -- fold --------------------------------------------------------------------------------


async def test_f_folds_and_unfolds_and_the_fold_stays_with_its_scenario():
    app = scenario_app(RunConfig("threads-io", size="tiny", workers=10))
    async with app.run_test(size=(120, 36)) as pilot:
        lanes = app.query_one("#lanes")
        await wait_for(pilot, lambda: app.state.finished is not None and len(lanes.rows) == 11)  # main and ten workers
        many = len(lanes.rows)
        await pilot.press("f")
        assert len(lanes.rows) < many and any("threads" in row.label for row in lanes.rows)
        assert app.dashboard.check_action("fold", ())  # still offered: it unfolds
        await pilot.press("f")
        assert len(lanes.rows) == many
        await pilot.press("f")
        assert len(lanes.rows) < many
        await pilot.press("4")  # threads-cpu, two workers: unfolded
        await wait_for(pilot, lambda: lanes.snapshot is not None and len(lanes.snapshot.lanes) >= 3)
        assert not any("threads" in row.label for row in lanes.rows), [r.label for r in lanes.rows]
        await pilot.press("q")
