"""The dashboard's pure drawing functions, by exact values."""

from gilviz.states import STATES
from gilviz.timeline import Bin
from gilviz.ui.drawing import (
    GLYPHS,
    Cell,
    ColumnCache,
    cell_for,
    column_times,
    recent_shares,
    shares_label,
    sparkline,
    states_in,
)


def t(**named):
    return tuple(named.get(s, 0.0) for s in STATES)


def test_a_cell_is_a_bar_of_the_running_share_over_the_main_wait():
    assert cell_for(t(running=0.05)) == Cell("█", "running")
    assert cell_for(t(running=0.025, gil_wait=0.025)) == Cell("▄", "running", "gil_wait")
    assert cell_for(t(running=0.0125, io=0.0375)) == Cell("▂", "running", "io")


def test_a_cell_that_hardly_ran_shows_what_it_waited_on():
    assert cell_for(t(gil_wait=0.05)) == Cell("▒", "gil_wait")
    assert cell_for(t(io=0.05)) == Cell("─", "io")
    assert cell_for(t(lock_wait=0.04, running=0.001)) == Cell("×", "lock_wait")
    assert cell_for(t(failed=0.05)) == Cell("!", "failed")
    assert cell_for(t()) is None


def lane_cells(bins, **columns):
    return [cell_for(times) for times in column_times(bins, **columns)]


def test_lane_cells_group_bins_into_columns_fixed_in_time():
    bins = [Bin(10, t(running=0.05)), Bin(11, t(gil_wait=0.05)), Bin(12, t(io=0.05)), Bin(13, t(io=0.05))]
    cells = lane_cells(bins, last_index=13, columns=3, bins_per_column=2)  # columns: bins 8-9, 10-11, 12-13
    assert cells == [None, Cell("▄", "running", "gil_wait"), Cell("─", "io")]
    cells = lane_cells(bins, last_index=12, columns=2, bins_per_column=2)  # the last column is 12-13, still filling
    assert cells == [Cell("▄", "running", "gil_wait"), Cell("─", "io")]


def test_a_tall_lane_stacks_the_bar_under_the_wait():
    half = t(running=0.025, gil_wait=0.025)
    assert [cell_for(half, row, 2) for row in (1, 0)] == [Cell("▒", "gil_wait"), Cell("█", "running")]
    third = t(running=0.015, io=0.035)  # 0.3 of 3 rows: 7 eighths in the bottom row
    assert [cell_for(third, row, 3) for row in (2, 1, 0)] == [Cell("─", "io"), Cell("─", "io"), Cell("▇", "running", "io")]


def test_the_column_cache_gives_what_column_times_gives():
    bins = [Bin(i, t(running=0.01 * (i % 5), io=0.05 - 0.01 * (i % 5))) for i in range(100)]
    cache = ColumnCache()
    for last in (40, 41, 44, 45, 60, 99):
        want = column_times(bins[: last + 1], last_index=last, columns=8, bins_per_column=2)
        got = cache.columns("lane", [bins[: last + 1]], last_index=last, columns=8, bins_per_column=2)
        assert [g if g is not None else [0.0] * len(STATES) for g in got] == want


def test_a_legend_names_only_the_states_on_screen():
    assert states_in([t(running=0.01, gil_wait=0.02), None, t(io=0.05)]) == ["running", "gil_wait", "io"]


def test_recent_shares_and_their_label():
    bins = [Bin(i, t(running=0.025, gil_wait=0.025)) for i in range(30)]
    shares = recent_shares(bins, last_index=29, count=20)
    assert shares["running"] == 0.5 and shares["gil_wait"] == 0.5
    assert shares_label(shares) == "run 50% · GIL 50%"
    assert shares_label(recent_shares([Bin(1, t(done=0.05))], last_index=1, count=5)) == "ended"
    # the time a thread lived is what its shares are of: it ran all of the half second it existed
    half = recent_shares([Bin(1, t(running=0.05)), Bin(2, t(done=0.05))], last_index=2, count=5)
    assert shares_label(half) == "run 100%"
    assert shares_label(recent_shares([], last_index=1, count=5)) == "idle"


def test_sparkline_is_right_aligned():
    assert sparkline([0, 50, 100], 5) == "  " + " ▄█"
    assert sparkline([100] * 10, 3) == "███"


def gil_column(held: float, held_blocked: float, read: float, **states: float) -> list[float]:
    history = 3 if read else 0  # smoothed over the bins before: a few bins' worth
    return list(t(**states)) + [held, held_blocked, read, history * held, history * states.get("running", 0.0)]


def test_a_thread_running_without_the_gil_is_drawn_in_a_colour_of_its_own():
    cell = cell_for(gil_column(0.0, 0.0, 0.05, running=0.05))
    assert cell == Cell("▓", "no_gil")
    assert cell_for(gil_column(0.0, 0.0, 0.05, running=0.025, io=0.025)) == Cell("▄", "no_gil", "io")
    assert cell_for(gil_column(0.05, 0.0, 0.05, running=0.05)) == Cell("█", "running")  # it held the GIL
    assert cell_for(gil_column(0.0, 0.0, 0.0, running=0.05)) == Cell("█", "running")  # its GIL was not read
    smoothed = gil_column(0.0, 0.0, 0.05, running=0.05)
    smoothed[-2:] = [0.2, 0.25]  # no reading in this column found it holding, but the ones before mostly did
    assert cell_for(smoothed) == Cell("█", "running")


def test_holding_the_gil_while_blocked_is_an_alarm_with_a_glyph_that_reads_without_colour():
    cell = cell_for(gil_column(0.04, 0.04, 0.05, io=0.05))
    assert cell is not None and cell.fg == "gil_blocked" and cell.char == "▲" != GLYPHS["io"]
    assert cell_for(gil_column(0.0, 0.0, 0.05, io=0.05)) == Cell(GLYPHS["io"], "io")  # blocked, not holding it
    columns = [gil_column(0.04, 0.04, 0.05, io=0.05), gil_column(0.0, 0.0, 0.05, running=0.05)]
    assert states_in(columns)[-2:] == ["no_gil", "gil_blocked"]


def test_a_drawn_column_with_the_gil_read_has_shares_of_its_states_only():
    """A column's values carry the GIL's seconds after the states (``bin_values``); the shares at the
    time cursor come from such a column and must still add up to the time the thread lived."""
    from gilviz.states import GIL_WAIT, N_STATES, RUNNING
    from gilviz.ui.drawing import NO_GIL_TIMES, life_shares

    times = [0.0] * N_STATES
    times[RUNNING], times[GIL_WAIT] = 0.02, 0.03
    held_read = (0.02, 0.0, 0.05, 0.1, 0.1)[: len(NO_GIL_TIMES)]
    shares = life_shares(tuple(times) + held_read)
    assert abs(shares["running"] - 0.4) < 1e-9 and abs(shares["gil_wait"] - 0.6) < 1e-9
    assert life_shares(tuple(times) + held_read) == life_shares(tuple(times) + NO_GIL_TIMES)
