"""The dashboard's pure drawing functions, by exact values."""

from gilviz.probe.classify import STATES
from gilviz.timeline import Bin
from gilviz.ui.drawing import Cell, cell_for, lane_cells, recent_shares, shares_label, sparkline


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


def test_lane_cells_group_bins_into_columns_ending_now():
    bins = [Bin(10, t(running=0.05)), Bin(11, t(gil_wait=0.05)), Bin(12, t(io=0.05)), Bin(13, t(io=0.05))]
    cells = lane_cells(bins, last_index=13, columns=3, bins_per_column=2)
    assert cells == [None, Cell("▄", "running", "gil_wait"), Cell("─", "io")]


def test_recent_shares_and_their_label():
    bins = [Bin(i, t(running=0.025, gil_wait=0.025)) for i in range(30)]
    shares = recent_shares(bins, last_index=29, count=20)
    assert shares["running"] == 0.5 and shares["gil_wait"] == 0.5
    assert shares_label(shares) == "run 50% · GIL 50%"
    assert shares_label(recent_shares([Bin(1, t(done=0.05))], last_index=1, count=5)) == "done"
    assert shares_label(recent_shares([], last_index=1, count=5)) == "idle"


def test_sparkline_is_right_aligned():
    assert sparkline([0, 50, 100], 5) == "  " + " ▄█"
    assert sparkline([100] * 10, 3) == "███"
