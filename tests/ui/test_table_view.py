"""The table view (T) and the lanes of a thread-per-request server: rows, sorting, filtering, the jump to a lane.

Drawn from a made-up trace (``tests/fake_server.py``): a server with eight long-lived
threads, each waiting on something of its own, and a short-lived thread for every 20 ms.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gilviz.outside import visible
from gilviz.thread_table import (
    COLUMNS,
    RETIRE_S,
    ThreadRow,
    ended,
    is_main,
    lived_s,
    matching,
    newest_index,
    retired,
    rows_json,
    sorted_rows,
    thread_rows,
)
from gilviz.trace import frames_until, read_trace
from gilviz.ui.app import replay_app
from gilviz.ui.lane_rows import FOLD_OVER, LONG_LIVED_S, arrange, row_index, snapshot_rows
from gilviz.ui.lanes import LanesView
from gilviz.ui.table_screen import TableScreen
from gilviz.ui.thread_table import ThreadTable

from fake_server import LONG_LIVED, write_server_trace

SIZE = (120, 36)
AT = 6.0  # seconds into the trace: ~75 request threads retired, ~200 still listed
LONG_NAMES = {visible(name) for name, _, _ in LONG_LIVED} | {"server.py"}


@pytest.fixture(scope="module")
def server_trace(tmp_path_factory):
    return read_trace(str(write_server_trace(tmp_path_factory.mktemp("trace") / "server.jsonl.gz")))


@pytest.fixture(scope="module")
def snap(server_trace):
    return [f.snapshot for f in frames_until(server_trace, AT) if f.snapshot is not None][-1]


# -- rows, from a snapshot (no textual) ---------------------------------------------------


def test_every_thread_is_counted_once_and_only_threads_gone_a_while_retire(snap):
    rows = thread_rows(snap)
    assert sum(row.threads for row in rows) == len(snap.lanes)
    newest = newest_index(snap)
    gone = [lane for lane in snap.lanes if retired(lane, newest, snap.bin_s)]
    assert gone, "the trace has request threads that ended seconds ago"
    for lane in gone:
        assert (newest - lane.bins[-1].index) * snap.bin_s > RETIRE_S
    ended = [row for row in rows if row.tid == 0]
    assert [row.threads for row in ended] == [len(gone)]
    assert {row.name for row in rows} >= LONG_NAMES


def test_an_ended_row_keeps_the_shares_of_the_lives_it_stands_for(snap):
    ended = next(row for row in thread_rows(snap) if row.tid == 0)
    gone = [lane for lane in snap.lanes if retired(lane, newest_index(snap), snap.bin_s)]
    ran = sum(lane.run_times[0] for lane in gone)
    lived = sum(sum(lane.run_times) - lane.run_times[8] - lane.run_times[10] for lane in gone)
    assert ended.run == pytest.approx(ran / lived)
    assert ended.run + ended.gil + ended.lock + ended.io == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("column", [c.key for c in COLUMNS])
def test_sorted_by_any_column_and_inverted(snap, column):
    rows = thread_rows(snap)
    numeric = next(c.numeric for c in COLUMNS if c.key == column)

    def value(row: ThreadRow):
        return row.name.casefold() if column == "name" else getattr(row, column)

    for reverse in (False, True):
        out = sorted_rows(rows, column, reverse=reverse)
        assert sorted(map(id, out)) == sorted(map(id, rows))  # the same rows, reordered
        living = sum(1 for r in out if not ended(r))
        assert not any(ended(r) for r in out[:living])  # those still there first ...
        for part in (out[:living], out[living:]):  # ... and each part in order
            values = [value(r) for r in part]
            assert values == sorted(values, reverse=numeric != reverse)


def test_ties_keep_the_lanes_order(snap):
    rows = [row for row in thread_rows(snap) if not ended(row)]
    by_gil = sorted_rows(rows, "gil")
    zero = [row.key for row in by_gil if row.gil == 0]
    assert zero == [row.key for row in rows if row.gil == 0]


def test_the_filter_matches_part_of_a_name_in_any_case_or_a_tid(snap):
    rows = thread_rows(snap)
    pools = matching(rows, "POOL")
    assert {row.name for row in pools} == {name for name, _, _ in LONG_LIVED if name.startswith("pool")}
    one = rows[3]
    assert one in matching(rows, str(one.tid))
    assert matching(rows, "") == rows
    assert matching(rows, "no such thread") == []


def test_a_name_from_outside_is_shown_never_obeyed(snap):
    names = [row.name for row in thread_rows(snap)]
    assert not any("\x1b" in name for name in names)
    assert "evil␛[2Jname" in names


def test_the_json_rows_say_the_same_as_the_table(snap):
    rows = thread_rows(snap)
    doc = rows_json(rows)
    assert len(doc) == len(rows)
    assert sum(entry.get("count", 1) for entry in doc) == len(snap.lanes)
    ended = [entry for entry in doc if entry.get("kind") == "ended"]
    assert len(ended) == 1 and set(ended[0]) == {"name", "pid", "kind", "count", "shares"}
    hog = next(entry for entry in doc if entry["name"] == "hog")
    row = next(row for row in rows if row.name == "hog")
    assert hog["tid"] == row.tid and hog["shares"]["running"] == round(row.run, 4) and hog["syscall"] == row.syscall


# -- the lanes: long-lived threads keep their rows -----------------------------------------


def test_long_lived_threads_keep_their_rows_and_the_short_lived_fold_first(snap):
    newest = newest_index(snap)
    rows = arrange(snap.lanes, last_index=newest, newest=newest, bin_s=snap.bin_s)
    shown = {row.lane.name for row in rows if row.lane is not None}
    folded = [lane for row in rows if row.lane is None for lane in row.threads]
    assert sum(1 for row in rows if row.lane is not None) + len(folded) == len(snap.lanes)
    long = [lane for lane in snap.lanes if lived_s(lane, snap.bin_s) >= LONG_LIVED_S]
    assert len(long) <= FOLD_OVER + 1
    ran = {lane.name for lane in long if any(b.times[0] > 0 for b in lane.bins)}
    assert ran <= shown  # every long-lived thread that ran has a row of its own
    labels = [row.label.strip() for row in rows if row.lane is None]
    assert any(label.endswith("short-lived") for label in labels)
    assert any(label.endswith("ended threads") for label in labels)
    assert len(rows) < 15  # what a screen holds, not 290 rows


def test_without_the_newest_bin_nothing_retires_as_before(snap):
    rows = arrange(snap.lanes, last_index=newest_index(snap))
    assert not any("ended" in row.label or "short-lived" in row.label for row in rows)


def test_the_lane_jumped_to_is_never_folded(snap):
    newest = newest_index(snap)
    for lane in (snap.lanes[-1], next(lane for lane in snap.lanes if retired(lane, newest, snap.bin_s))):
        key = (lane.pid, lane.tid, lane.slot)
        rows = arrange(snap.lanes, last_index=newest, newest=newest, bin_s=snap.bin_s, keep=key)
        assert [row.key for row in rows].count(key) == 1
        assert all(lane not in row.threads for row in rows)


# -- the table view in the dashboard ------------------------------------------------------


async def until(pilot, condition, timeout=30.0) -> None:
    """Poll with a deadline: a key's effect may take a few messages to arrive."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    assert condition()


async def open_table(app, pilot) -> tuple[TableScreen, ThreadTable]:
    await pilot.press("T")
    await until(pilot, lambda: isinstance(app.screen, TableScreen))
    screen = app.screen
    assert isinstance(screen, TableScreen)
    return screen, screen.query_one(ThreadTable)


async def test_the_table_sorts_by_gil_wait_first_and_by_any_column_with_a_key(server_trace):
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        assert table.total == len(thread_rows(app.state.snapshot))
        first = table.shown[0]
        assert first.gil == max(row.gil for row in table.shown) and first.name == "gil-starved"
        await pilot.press("greater_than_sign")
        assert table.sort_column == "lock" and table.shown[0].lock == max(row.lock for row in table.shown)
        await pilot.press("I")
        assert table.shown[0].lock == min(row.lock for row in table.shown)
        await pilot.press("less_than_sign", "less_than_sign", "I")
        assert table.sort_column == "run" and table.shown[0].name == "hog"
        await pilot.pause()
        status = str(screen.query_one("#table-status").render())
        assert "sorted by run % ▼" in status


async def test_slash_filters_as_it_is_typed_and_escape_clears_then_leaves(server_trace):
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        await pilot.press("slash", "D", "b")
        await until(pilot, lambda: [row.name for row in table.shown] == ["db-lock"])
        await pilot.press("enter")  # keeps the filter, back to the rows
        await until(pilot, lambda: table.has_focus)
        assert table.filter_text == "Db"
        await pilot.press("escape")
        await until(pilot, lambda: table.filter_text == "")
        assert len(table.shown) == table.total
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TableScreen))
        assert app.query_one("#lanes", LanesView).highlight is None


async def test_enter_jumps_to_the_lane_scrolled_into_view_and_highlighted(server_trace):
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")  # every thread on a row of its own: ~200 rows, the lane must be scrolled to
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        await pilot.press("slash", *"req-250", "enter")  # a short-lived thread, folded in the lanes
        await until(pilot, lambda: table.has_focus and len(table.shown) == 1)
        chosen = table.current
        assert chosen is not None and chosen.name == "req-250"
        await pilot.press("enter")
        lanes = app.query_one("#lanes", LanesView)
        await until(pilot, lambda: not isinstance(app.screen, TableScreen) and lanes.highlight == chosen.key)
        await until(pilot, lambda: app.query_one("#lanes-box").scroll_offset.y > 0)
        index = row_index(lanes.rows, chosen.key)
        assert index is not None
        box = app.query_one("#lanes-box")
        y = lanes.virtual_region.y + 1 + index * lanes.row_height
        assert box.scroll_offset.y <= y < box.scroll_offset.y + box.scrollable_content_region.height


async def test_an_unchanged_screen_of_rows_is_not_repainted(server_trace):
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        calls = []
        table.refresh = lambda *a, **k: calls.append(a)  # type: ignore[method-assign]
        screen.show(app.state.snapshot)
        assert calls == []
        await pilot.press("down")
        assert len(calls) == 1


def test_a_thousand_rows_sort_and_filter_in_well_under_a_frame(tmp_path):
    """Measured here at ~0.1 ms (docs/measurements.md); the bound, 50 ms, holds on the busiest machine."""
    trace = read_trace(str(write_server_trace(tmp_path / "big.jsonl.gz", requests=1000, seconds=21.0)))
    snap = [f.snapshot for f in frames_until(trace, 12.0) if f.snapshot is not None][-1]
    rows = thread_rows(snap)
    assert len(rows) >= 200
    rows = (rows * (1000 // len(rows) + 1))[:1000]
    t0 = time.process_time()
    for column in ("gil", "name", "lock", "run", "io"):
        matching(sorted_rows(rows, column), "req")
    per = (time.process_time() - t0) / 5
    assert per < 0.05


# -- pictures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trace_path(tmp_path_factory) -> Path:
    return write_server_trace(tmp_path_factory.mktemp("trace") / "server.jsonl.gz")


def test_snapshot_the_table_sorted_by_gil_wait(trace_path, snap_compare):
    assert snap_compare(replay_app(read_trace(str(trace_path)), at=AT), terminal_size=SIZE, press=["T"])


def test_snapshot_the_table_filtered_and_sorted_by_lock(trace_path, snap_compare):
    keys = ["T", "greater_than_sign", "slash", "p", "o", "o", "l", "enter"]
    assert snap_compare(replay_app(read_trace(str(trace_path)), at=AT), terminal_size=SIZE, press=keys)


def test_snapshot_the_table_at_80_by_24_keeps_its_keys_legible(trace_path, snap_compare):
    """Below 104 columns the footer's keys need the whole line: "^p palette" is left out, never drawn over them."""
    assert snap_compare(replay_app(read_trace(str(trace_path)), at=AT), terminal_size=(80, 24), press=["T"])


def test_snapshot_the_lanes_after_a_jump_to_a_short_lived_thread(trace_path, snap_compare):
    keys = ["T", "slash", *"req-250", "enter", "enter"]
    assert snap_compare(replay_app(read_trace(str(trace_path)), at=AT), terminal_size=SIZE, press=keys)


def threads_in(entries) -> int:
    return sum(entry.get("count") or 1 for entry in entries)


def test_watch_json_holds_the_table_rows_of_the_programs_end(server_trace):
    from gilviz.report import to_json
    from gilviz.trace import frames

    report = next(f.report for f in frames(server_trace) if f.kind == "finished" and f.report is not None)
    doc = to_json(report)
    assert doc["threads"] == rows_json(thread_rows(report.snapshot))
    # every thread once in each: a row or a lane of its own, or counted in an ended row or a folded entry
    # (the CPU of threads too short to be seen is an entry of the lanes', not a thread of the table's)
    assert threads_in(doc["threads"]) == threads_in(e for e in doc["lanes"] if e["kind"] != "short-lived")
    names = {entry["name"] for entry in doc["threads"]}
    assert names >= LONG_NAMES


async def test_a_run_that_ends_under_the_table_is_drawn_when_it_closes(server_trace):
    app = replay_app(server_trace, speed=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        await until(pilot, lambda: app.state.finished is not None)
        await until(pilot, lambda: table.total == len(thread_rows(app.state.snapshot)))
        await until(pilot, lambda: "life in the run" in str(screen.query_one("#table-status").render()))
        await pilot.press("T")
        await until(pilot, lambda: not isinstance(app.screen, TableScreen))
        lanes = app.query_one("#lanes", LanesView)
        assert lanes.snapshot is app.state.snapshot  # the lanes catch up with what they missed


async def test_enter_on_the_ended_threads_row_goes_to_the_row_they_make(server_trace):
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen, table = await open_table(app, pilot)
        await pilot.press("slash", *"ended threads", "enter")
        await until(pilot, lambda: table.has_focus and len(table.shown) == 1)
        assert table.current is not None and table.current.tid == 0
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, TableScreen))
        lanes = app.query_one("#lanes", LanesView)
        assert lanes.highlight is None
        assert [row.label.strip(" └") for row in lanes.rows if "ended thread" in row.label] == [table.current.name]


def test_threads_there_when_watching_began_are_not_taken_for_short_lived(server_trace):
    early = [f.snapshot for f in frames_until(server_trace, 1.2) if f.snapshot is not None][-1]
    assert all(lived_s(lane, early.bin_s) < LONG_LIVED_S for lane in early.lanes)  # nothing has lived 2 s yet
    assert sum(1 for lane in early.lanes if not is_main(lane)) > FOLD_OVER
    rows = snapshot_rows(early, last_index=newest_index(early))
    shown = {row.lane.name for row in rows if row.lane is not None}
    assert {"hog", "gil-starved", "db-lock", "logger"} <= shown
    short = [row for row in rows if row.label.endswith("short-lived")]
    assert len(short) == 1 and all(lane.name.startswith("req-") for lane in short[0].threads)


async def test_the_table_has_its_own_keys_and_the_apps_not_the_dashboards(server_trace):
    """The dashboard's keys are its screen's: over the table, f does not fold the hidden lanes; q is the app's."""
    app = replay_app(server_trace, at=AT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard_keys = {b.binding.action for b in app.active_bindings.values()}
        assert {"fold", "pause", "quit"} <= dashboard_keys, dashboard_keys
        screen, _ = await open_table(app, pilot)
        table_keys = {b.binding.action for b in app.active_bindings.values()}
        assert {"filter", "back", "close", "quit"} <= table_keys and not {"fold", "pause", "rerun"} & table_keys, table_keys
        lanes = app.query_one("#lanes", LanesView)
        fold = lanes.fold
        await pilot.press("f", "space")
        assert lanes.fold == fold and not app.state.paused and app.screen is screen
