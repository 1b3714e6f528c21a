"""What a newcomer walking through the dashboard tripped over (issue 20, part B): the help, the palette,
the header, the footer and the texts, each checked through the app."""

from __future__ import annotations

import inspect
import io
import time
from collections import Counter
from pathlib import Path

import pytest
from gilviz.model import RunConfig, RunReport
from gilviz.sources.lab import series_progress
from gilviz.trace import frames
from gilviz.ui.app import THEMES, replay_app, scenario_app
from gilviz.ui.header import header_text
from gilviz.ui.help import key_rows
from gilviz.ui.lane_rows import fitted_note
from gilviz.ui.state import DashboardState
from rich.console import Console

from conftest import ROOT, lane_lines, trace, until

TRACES = ROOT / "assets" / "traces"
PY = {"implementation": "cpython", "version": "3.11.7", "gil_enabled": True, "free_threaded_build": False}


async def run(callback):
    """Call a palette command as the palette does: awaiting what it returns, if anything."""
    result = callback()
    if inspect.isawaitable(result):
        await result


def test_help_lists_each_key_once():
    from gilviz.ui.app import GilvizApp
    from gilviz.ui.dashboard_screen import DashboardScreen

    rows = key_rows([*DashboardScreen.BINDINGS, *GilvizApp.BINDINGS], lambda name, args: True)
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
        assert "Help" in titles and "Keys" not in titles, titles  # one help: gilviz's ?, not Textual's key panel too
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


@pytest.mark.parametrize("width", [200, 120, 100, 80, 60])
def test_the_header_keeps_gilviz_and_the_series_progress(width):
    state = DashboardState(RunConfig("race", workers=4), python=PY, cores=2)
    state.status = "measuring the sequential baseline first"
    state.progress = "run 3 of 5 · so far 0.95–1.01×"
    text = header_text(state, width).plain
    assert len(text) <= width and text.split()[0] == "gilviz", text
    assert "run 3 of 5" in text, text
    if width >= 120:
        assert "so far 0.95–1.01×" in text, text


def report(config, wall_s):
    return RunReport(config, python={}, cores=2, result={"wall_s": wall_s}, snapshot=None, watched=True)  # type: ignore[arg-type]


def test_a_series_says_which_run_and_the_spread_so_far():
    base = report(RunConfig("seq-cpu"), 4.0)
    runs = []
    assert series_progress(runs, 5, baseline=True) == "run 1 of 5"
    for wall in (4.0, 5.0):
        run = report(RunConfig("threads-cpu"), wall)
        run.baseline = base
        runs.append(run)
    assert series_progress(runs, 5, baseline=False) == "run 3 of 5 · so far 0.80–1.00×"
    alone = [report(RunConfig("race"), w) for w in (1.5, 1.6)]
    assert series_progress(alone, 5, baseline=False) == "run 3 of 5 · so far 1.50–1.60 s"


async def test_r_shows_the_run_of_the_series_in_the_header():
    app = scenario_app(RunConfig("threads-io", size="tiny"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.status == "live")
        await pilot.press("R")
        seen = set()

        def progressed():
            header = str(app.query_one("#title").render())
            seen.update(part for part in ("run 1 of 5", "run 2 of 5", "so far") if part in header)
            return {"run 2 of 5", "so far"} <= seen

        await until(pilot, progressed, timeout=60)
        await pilot.press("q")


async def test_asyncio_shows_the_thread_per_wait_run_it_promises_in_words_that_read():
    t = trace("asyncio")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        results = app.query_one("#results")
        shown = " ".join(results.render_line(y).text.strip() for y in range(results.size.height))
        report = app.state.finished
        threaded = report.result["asyncio"]["with_threads"]
        assert "a thread per wait" in shown and "%d threads" % threaded["threads_peak"] in shown, shown
        assert "%+.1f MB" % (threaded["rss_kb"] / 1024) in shown, shown
        assert "1000 waits took 1.02 s" in shown and "waits · theory 1 waits" not in shown, shown
        assert "1000 tasks" in shown


def test_run_and_the_dashboard_both_say_tasks_for_asyncio():
    from gilviz.report import to_text

    report = next(f.report for f in frames(trace("asyncio")) if getattr(f, "report", None) is not None)
    first = to_text(report).splitlines()[0]
    assert "1000 tasks" in first and "workers" not in first, first


async def test_a_finished_sleeper_is_labelled_with_its_sleep_not_its_last_futex():
    t = trace("seq-io")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        lanes = app.query_one("#lanes")
        lane = lanes.rows[0].lane
        assert lane.wait_now == "futex" and lane.waits[0][0] == "clock_nanosleep"  # the recorded run: its last wait, and longest
        details = [lanes.render_line(y).text[:24].strip() for y in range(1, lanes.size.height)]
        assert "in clock_nanosleep" in details and "in futex" not in details, details


@pytest.mark.parametrize("size", [(60, 16), (80, 24), (104, 30), (120, 36), (200, 50)])
async def test_the_lanes_scale_line_keeps_its_value_and_its_gaps(size):
    t = trace("threads-cpu")
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        line = app.query_one("#lanes").render_line(0).text
        assert "1 column = " in line and line.split("1 column = ")[1][:1].isdigit(), line
        if "its whole life" in line:
            before = line.split("its whole life")[0]
            assert before.endswith("   ") or not before.strip(), line  # never run together with the aside before it


def footer_row(app):
    from gilviz.ui.png import screen_lines

    return "".join(seg.text for seg in screen_lines(app)[-1])


async def test_at_80x24_the_footer_shows_its_keys_whole():
    app = scenario_app(RunConfig("pools", workers=8, size="tiny"))  # the most keys: executor, and fold (9 rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.dashboard.check_action("fold", ()) and "fold" in footer_row(app), timeout=60)
        footer = footer_row(app)
        assert footer.startswith("r re-run") and footer.rstrip().endswith("q quit"), footer
        await pilot.press("q")


def test_a_folded_summary_is_cut_at_a_whole_count():
    from gilviz.ui.lane_rows import fitted_note

    note = "27 I/O · 4 GIL · 1 run · 1 lock"
    assert fitted_note(note, 40) == note
    assert fitted_note(note, 21) == "27 I/O · 4 GIL · +2"
    assert fitted_note(note, 12) == "27 I/O · +6"
    assert all(len(fitted_note(note, w)) <= w for w in range(6, 40))


@pytest.mark.parametrize("name", ["watch-busy-server", "threads-cpu-slow"])
async def test_a_finished_run_s_folded_threads_say_what_they_did_not_that_they_ended(name):
    """Folded, a finished run's threads are counted by what each did most over its life: a thread that ended
    before the run's last second did not spend its life ended (threads-cpu-slow's first worker read "1 ended")."""
    from gilviz.report import SHARE_LABELS
    from gilviz.states import STATES

    t = trace(name)
    app = replay_app(t, at=t.after_end_s)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        lanes = app.query_one("#lanes")
        lanes.fold = True
        await pilot.pause()
        summaries = [row for row in lanes.rows if row.lane is None]
        assert summaries
        for row in summaries:
            counted = sum(int(part.split()[0]) for part in row.note.split(" · "))
            assert counted == len(row.threads) and "ended" not in row.note, row.note
            expected = Counter()  # each thread's biggest state over the time it lived, from its run's totals
            for lane in row.threads:
                lived = [(t, s) for s, t in zip(STATES, lane.run_times) if s not in ("done", "not_started")]
                expected[SHARE_LABELS.get(max(lived)[1], max(lived)[1])] += 1
            said = Counter({part.split(" ", 1)[1]: int(part.split()[0]) for part in row.note.split(" · ")})
            assert said == expected, (row.note, expected)
        lines = [lanes.render_line(y).text for y in range(lanes.size.height)]
        for row in summaries:
            shown = next(line for line in lines if line.startswith(row.label))
            assert fitted_note(row.note, lanes.shares_width - 1) in shown


def test_a_watched_process_keeps_its_script_s_name_after_it_exits(tmp_path):
    import subprocess
    import sys

    from gilviz.probe.watchlist import ProcessTreeWatchList

    script = tmp_path / "my_app.py"
    script.write_text("import sys\nsys.stdin.read()\n")  # runs until its stdin closes
    child = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE)
    try:
        watch = ProcessTreeWatchList(child.pid, refresh_s=0.0)
        deadline = time.monotonic() + 20
        while not any(v.name == "my_app.py" for v in watch.lanes()):
            assert time.monotonic() < deadline, [v.name for v in watch.lanes()]
        child.stdin.close()
        stat = Path("/proc/%d/stat" % child.pid)
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":  # a zombie: exited, not yet reaped
            assert time.monotonic() < deadline, "the child did not exit"
        names = {v.name for v in watch.lanes() if v.tid == child.pid}  # exited, not yet reaped: no exe to read
        assert names == {"my_app.py"}, names
    finally:
        child.kill()
        child.wait()


async def test_while_paused_the_footer_offers_resume_not_pause():
    t = trace("threads-cpu")
    app = replay_app(t)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.snapshot is not None)
        await until(pilot, lambda: "space pause" in footer_row(app))
        await pilot.press("space")
        await until(pilot, lambda: "space resume" in footer_row(app))
        assert app.state.paused and "pause" not in footer_row(app).replace("resume", "")
        await pilot.press("space")
        await until(pilot, lambda: "space pause" in footer_row(app))
        assert not app.state.paused


def test_unseen_time_is_said_once_at_a_tall_lane_s_foot_not_stacked():
    from gilviz.states import STATES
    from gilviz.ui.drawing import cell_for

    unseen = [0.0] * len(STATES)
    unseen[STATES.index("unseen")] = 0.05
    assert cell_for(unseen, 0, 3).char == "?"
    assert cell_for(unseen, 1, 3) is None and cell_for(unseen, 2, 3) is None
    gil = [0.0] * len(STATES)
    gil[STATES.index("gil_wait")] = 0.05
    assert cell_for(gil, 2, 3).char == cell_for(gil, 0, 3).char  # a wait still fills its lane


async def test_a_still_mid_run_fits_the_run_so_far_from_the_left_edge():
    t = trace("threads-cpu")
    for at in (1.0, t.mid_run_s()):
        app = replay_app(t, at=at, still=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            lanes = app.query_one("#lanes")
            lines = lane_lines(app)
            assert "the run so far" in lines[0], lines[0]
            drawn = [line[25 : 25 + lanes.columns] for line in lines[1:]]
            spans = [len(cells.strip()) for cells in drawn if cells.strip()]
            assert spans and max(spans) >= lanes.columns - 2, (at, spans, lanes.columns)  # not 10 columns at the right


@pytest.mark.parametrize("size", [(120, 36), (200, 50)])
async def test_in_presenter_mode_the_lanes_take_most_of_the_width(size):
    t = trace("race-lock-on")
    app = replay_app(t, at=t.after_end_s, present=True, still=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        box, lanes = app.query_one("#lanes-box"), app.query_one("#lanes")
        assert box.region.width >= 0.7 * size[0] and not app.query_one("#scenarios").display, box.region
        assert lanes.columns >= 0.7 * size[0], lanes.columns  # the time itself: the figures go under the names
        lines = lane_lines(app)
        for row in lanes.rows:  # each row's figures, whole, on the line under its name
            at = next(i for i, line in enumerate(lines) if line.startswith(row.label))
            assert lines[at + 1].startswith("  " + lanes._shares(row, lanes._now()) + " "), (lines[at], lines[at + 1])
