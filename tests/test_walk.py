"""What a newcomer walking through the dashboard tripped over (issue 20, part B): the help, the palette,
the header, the footer and the texts, each checked through the app."""

from __future__ import annotations

import inspect
import io
import time
from collections import Counter

from gilviz.trace import read_trace
from gilviz.ui.app import THEMES, replay_app
from gilviz.ui.help import key_rows
from rich.console import Console

from conftest import ROOT

TRACES = ROOT / "assets" / "traces"


def trace(name):
    return read_trace(str(TRACES / (name + ".jsonl.gz")))


async def until(pilot, condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def run(callback):
    """Call a palette command as the palette does: awaiting what it returns, if anything."""
    result = callback()
    if inspect.isawaitable(result):
        await result


def test_help_lists_each_key_once():
    from gilviz.ui.app import GilvizApp

    rows = key_rows(GilvizApp.BINDINGS, lambda name, args: True)
    keys = [key for row_keys, _ in rows for key in row_keys.split(" / ")]
    assert [k for k, n in Counter(keys).items() if n > 1] == [], rows
    texts = [what for _, what in rows]
    assert len(texts) == len(set(texts)), rows
    assert "n / p" in dict(rows) and "w / W" in dict(rows)


async def test_help_does_not_say_last_second_of_a_finished_run():
    from gilviz.ui.help import HelpScreen

    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen._table)
        text = " ".join(console.export_text().split())
        assert "the thread's whole life once it has ended" in text and "the last second of the thread's life" not in text


async def test_the_palette_has_one_of_each_and_gilviz_s_own_theme_and_screenshot(tmp_path):
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s, screenshot_format="png", screenshot_dir=str(tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        commands = list(app.get_system_commands(app.screen))
        titles = [c.title for c in commands]
        assert [t for t, n in Counter(titles).items() if n > 1] == [], titles
        by_title = {c.title: c for c in commands}
        assert app.theme == THEMES["dark"]
        await run(by_title["Theme"].callback)
        await pilot.pause()
        assert app.theme == THEMES["light"]  # gilviz's light / dark, not Textual's picker
        await run(by_title["Screenshot"].callback)
        await until(pilot, lambda: list(tmp_path.iterdir()))
        saved = list(tmp_path.iterdir())
        assert [p.suffix for p in saved] == [".png"] and saved[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_many_results_stay_in_their_box_newest_first_with_a_count():
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        app.state.reports = app.state.reports[:1] * 6 + app.state.reports  # eight runs, most with a why line
        app.draw_static()
        await pilot.pause()
        lower, results, footer = app.query_one("#lower"), app.query_one("#results"), app.query_one("Footer")
        assert results.region.bottom <= lower.region.bottom <= footer.region.y, (results.region, lower.region)
        lines = [results.render_line(y).text for y in range(results.size.height)]
        shown = "\n".join(lines)
        assert "threads-cpu" in lines[0] and "older runs" in shown, lines
        assert shown.rstrip().endswith("older runs"), lines  # the count is on screen, not cut
