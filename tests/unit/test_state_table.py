"""The wait states are one table (``gilviz.states.TABLE``): the drawing's glyphs, colours and legends come from it."""

from __future__ import annotations

from gilviz.report import to_json
from gilviz.states import N_STATES, STATES, TABLE
from gilviz.trace import frames, read_trace
from gilviz.ui import drawing

from conftest import ROOT


def test_each_state_is_one_row_with_everything_it_is_shown_with():
    assert tuple(row.name for row in TABLE) == STATES and len(STATES) == N_STATES == len(set(STATES))
    for row in TABLE:
        assert len(row.glyph) == 1 and row.colour.startswith("#") and len(row.colour) == 7, row
        assert row.what, row
        assert bool(row.label) == bool(row.short), row  # a state the legend names has a narrow name too


def test_the_drawing_reads_the_table():
    for row in TABLE:
        assert drawing.GLYPHS[row.name] == row.glyph and drawing.COLOURS[row.name] == row.colour
        assert drawing.LEGEND.get(row.name, "") == row.label and drawing.SHORT_LEGEND.get(row.name, "") == row.short
    named = [s for s in drawing.LEGEND if s in STATES]
    assert named == [row.name for row in TABLE if row.label]  # the legend in the table's order
    marks = [name for name in drawing.LEGEND if name not in STATES]
    assert marks == [m[0] for m in reversed(drawing.MARKS)]  # the GIL's marks after the states


def test_a_reports_shares_are_keyed_by_the_tables_names():
    trace = read_trace(str(ROOT / "assets" / "traces" / "race-lock-off.jsonl.gz"))
    report = [f.report for f in frames(trace) if f.kind == "finished"][-1]
    lanes = to_json(report)["lanes"]
    assert lanes and all(set(lane["shares"]) <= set(STATES) for lane in lanes)
