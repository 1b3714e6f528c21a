"""Stills speak for themselves (issue 20): a picture (`s`, `gilviz screenshot`, SVG or PNG) names no key and
no aside that only makes sense on a live screen, and presenter mode keeps the figure's warnings."""

from __future__ import annotations

import html
import re

import pytest
from gilviz.trace import frames, read_trace
from gilviz.ui.app import replay_app
from gilviz.ui.results import figure_text, result_lines
from gilviz.ui.screenshot import render_svg
from gilviz.ui.state import DashboardState

from conftest import ROOT, until

TRACES = sorted((ROOT / "assets" / "traces").glob("*.jsonl.gz"))
LIVE_ONLY = ("+/- zoom", "toggles it", "runs the other", "space", "^p", "palette", "press ")


def svg_text(svg: str) -> str:
    """The words an SVG shows, spaces as spaces."""
    return html.unescape(" ".join(re.findall(r">([^<>]+)</text>", svg))).replace("\xa0", " ")


def hints_in(text: str) -> list[str]:
    return [hint for hint in LIVE_ONLY if hint in text]


@pytest.mark.parametrize("size", [(120, 36), (200, 50)], ids=["120x36", "200x50"])
@pytest.mark.parametrize("path", TRACES, ids=[p.name.split(".")[0] for p in TRACES])
def test_a_still_names_no_key(path, size):
    trace = read_trace(str(path))
    for at, present in ((trace.after_end_s, False), (trace.after_end_s, True), (trace.duration_s / 2, False)):
        text = svg_text(render_svg(trace, at, size=size, present=present))
        assert "gilviz" in text  # the picture was read: its words are there
        assert hints_in(text) == [], (at, present, hints_in(text))


async def test_s_saves_a_still_and_the_screen_keeps_its_keys(tmp_path):
    trace = read_trace(str(ROOT / "assets" / "traces" / "race-lock-on.jsonl.gz"))
    app = replay_app(trace, at=trace.after_end_s, screenshot_dir=str(tmp_path))
    async with app.run_test(size=(200, 50)) as pilot:  # wide enough for the zoom hint
        await pilot.pause()
        lanes = app.query_one("#lanes")
        assert "+/- zoom" in lanes.render_line(0).text  # on screen, the hint is there
        await pilot.press("s")
        await until(pilot, lambda: list(tmp_path.glob("*.svg")))
        saved = svg_text(next(tmp_path.glob("*.svg")).read_text())
        assert "race" in saved and hints_in(saved) == [], hints_in(saved)
        assert "quit" not in saved  # no footer of keys
        await pilot.pause()
        assert "+/- zoom" in lanes.render_line(0).text and app.query_one("Footer").display


def test_the_presenter_figure_keeps_the_warnings_the_results_give():
    shown = 0
    for path in TRACES:
        reports = [f.report for f in frames(read_trace(str(path))) if getattr(f, "report", None) is not None]
        for report in reports:
            state = DashboardState(report.config)
            state.finished = report
            figure = figure_text(state).plain
            for line in result_lines(report)[1:]:
                if line.startswith(("  why: ", "  impossible", "  ! ")):
                    assert line.strip() in figure, (path.name, figure)
                    shown += 1
    assert shown, "no trace has a warning to keep"
