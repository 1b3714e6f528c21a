"""Error boundaries: a part that fails (the recording on a full disk, a sampler tick) is one line, and the run still ends.

And outside text that looks like markup (``[/]``, ``[@click=…]``) is shown as it is, never parsed.
"""

from __future__ import annotations

import sys
import threading
import time

from gilviz.model import WatchConfig
from gilviz.report import to_json
from gilviz.sources.watch import WatchSource
from gilviz.trace import TraceWriter
from gilviz.ui.app import GilvizApp
from gilviz.watch import watch_program

from conftest import until

SLEEPER = (sys.executable, "-c", "import time; time.sleep(1.5)")


def full_disk(writer: TraceWriter) -> None:
    """From now on the recording's writes fail as on a full disk: /dev/full answers every write with ENOSPC."""
    writer._file = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 (the writer closes it)


def no_thread_dies(monkeypatch) -> list:
    died: list = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args))
    return died


def test_a_recording_on_a_full_disk_stops_in_one_line_and_the_watch_goes_on(tmp_path, monkeypatch):
    died = no_thread_dies(monkeypatch)
    writer = TraceWriter(str(tmp_path / "watch.jsonl"))
    full_disk(writer)
    report = watch_program(WatchConfig(SLEEPER), recorder=writer)
    writer.close()
    assert report.result["exit_code"] == 0 and not report.result["cancelled"]
    assert report.wall_s > 1.4 and report.lanes  # watched to its end, not frozen at the first failed write
    (error,) = to_json(report)["errors"]
    assert "No space left on device" in error and "\n" not in error and not died
    assert not (tmp_path / "watch.jsonl").exists() and (tmp_path / "watch.jsonl.partial").exists()


def test_a_sampler_that_raises_ends_the_watch_with_one_line_and_no_traceback(monkeypatch):
    from gilviz.probe.sampler import Sampler

    died = no_thread_dies(monkeypatch)
    ticks = {"n": 0}
    real = Sampler._tick

    def failing(self):
        ticks["n"] += 1
        if ticks["n"] > 5:
            raise RuntimeError("boom [/] \x1b]0;x\x07")
        real(self)

    monkeypatch.setattr(Sampler, "_tick", failing)
    started = time.monotonic()
    report = watch_program(WatchConfig((sys.executable, "-c", "import time; time.sleep(60)")))
    assert time.monotonic() - started < 20  # stopped (SIGINT) once sampling failed, not left to run 60 s
    assert report.result["cancelled"] and report.result["signal"] is not None
    assert to_json(report)["errors"] == ["sampling stopped: RuntimeError: boom [/] \x1b]0;x\x07"] and not died


async def test_the_dashboard_shows_a_full_disk_in_one_line_at_once(tmp_path):
    writer = TraceWriter(str(tmp_path / "watch.jsonl"))
    full_disk(writer)
    log = tmp_path / "out.log"
    app = GilvizApp(
        WatchSource(WatchConfig((sys.executable, "-c", "import time; time.sleep(3)"), output=str(log)), recorder=writer)
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: any("No space left" in str(n.message) for n in app._notifications), timeout=20)
        assert app.state.status == "live"  # said while the watch goes on
        await until(pilot, lambda: app.state.status != "live", timeout=30)
        assert app.state.status.startswith("finished")
    writer.close()


async def test_markup_in_outside_text_is_shown_never_parsed(tmp_path):
    folder = tmp_path / "["
    folder.mkdir()
    log = folder / "]out[@click=app.quit].log"  # the path reads "[/]out[@click=app.quit].log" from tmp_path
    program = "/nowhere/[/][b]x[@click=app.quit]"
    app = GilvizApp(WatchSource(WatchConfig((program,), output=str(log))))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.state.status == "failed", timeout=30)
        await pilot.pause(0.2)
        assert any(program in str(n.message) for n in app._notifications)
        assert app.is_running  # no MarkupError, and the click was not obeyed
