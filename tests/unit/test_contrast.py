"""Panel titles are readable in both themes: WCAG AA, a contrast ratio of 4.5:1 at least, measured as drawn."""

from __future__ import annotations

import pytest
from gilviz.trace import read_trace
from gilviz.ui.app import replay_app
from textual.geometry import Region

from conftest import ROOT

BOXES = ("#scenarios", "#lanes-box", "#meters", "#panel", "#lesson", "#results")


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ratio_is_wcags():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # the AA grey on white
    assert contrast((9, 69, 115), (18, 18, 18)) < 3  # the old dark-theme title: dark blue on near-black


@pytest.mark.parametrize("theme", ["dark", "light"])
async def test_panel_titles_meet_wcag_aa(theme):
    trace = read_trace(str(ROOT / "assets" / "traces" / "race-lock-on.jsonl.gz"))
    app = replay_app(trace, at=trace.after_end_s, theme=theme)
    measured = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for selector in BOXES:
            box = app.query_one(selector)
            top = box.render_lines(Region(0, 0, box.outer_size.width, 1))[0]
            title = [seg for seg in top if any(ch.isalpha() for ch in seg.text)]
            assert title, (selector, top.text)
            for seg in title:
                assert seg.style is not None and seg.style.color and seg.style.bgcolor, (selector, seg)
                fg, bg = seg.style.color.get_truecolor(), seg.style.bgcolor.get_truecolor()
                measured[selector, seg.text.strip()] = round(contrast(tuple(fg), tuple(bg)), 2)
        box = app.query_one("#lanes-box")  # its subtitle: where a replay was recorded
        bottom = box.render_lines(Region(0, box.outer_size.height - 1, box.outer_size.width, 1))[0]
        for seg in bottom:
            if "recorded" in seg.text:
                fg, bg = seg.style.color.get_truecolor(), seg.style.bgcolor.get_truecolor()
                measured["#lanes-box", seg.text.strip()] = round(contrast(tuple(fg), tuple(bg)), 2)
    assert any(key[1].startswith("recorded") for key in measured), measured
    assert all(ratio >= 4.5 for ratio in measured.values()), measured
