"""The gilviz dashboard: a Textual app that draws runs live from the lab, or from a recording (layer: UI).

Live: a thread worker runs each scenario through the engine's ``Session`` (its
baseline first, when missing); the sampler's snapshots arrive as messages about 20
times a second and are applied in one batch. Replay: a thread worker plays a trace's
frames at their recorded times and posts the same messages, so both are drawn by the
same code. With ``at`` a replay is applied up to that moment at once, which makes the
screen deterministic (snapshot tests, headless screenshots). Each run has a token, so
messages from a run that was switched away from are dropped.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from gilviz.files import write_atomically
from gilviz.lab.scenarios import MAX_WORKERS, SCENARIOS
from gilviz.measure import Session
from gilviz.model import RunConfig, RunReport
from gilviz.report import interpreter_line
from gilviz.timeline import Snapshot
from gilviz.trace import Frame, Trace, TraceWriter, frames, frames_until
from gilviz.ui.drawing import COLOURS, LEGEND, legend_glyph
from gilviz.ui.help import HelpScreen
from gilviz.ui.lanes import ZOOMS, LanesView
from gilviz.ui.meters import CpuMeters
from gilviz.ui.png import screen_png
from gilviz.ui.queue_panel import queue_text
from gilviz.ui.race_panel import race_text
from gilviz.ui.screenshot import FORMATS

KEYS = [s.key for s in SCENARIOS]
RESULTS_KEPT = 6
REPORTS_KEPT = 20
MENU_LABEL = 21  # characters of a scenario's title in the menu
MIN_SIZE = (60, 16)  # below this the screen asks for a bigger terminal
NARROW_BELOW = 104  # columns: the scenario menu goes, the header keeps n/N
SHORT_BELOW = 32  # rows: the lesson's code goes, the meters take one line
THEMES = {"dark": "textual-dark", "light": "textual-light"}


class SnapshotArrived(Message):
    def __init__(self, token: int, snapshot: Snapshot) -> None:
        super().__init__()
        self.token, self.snapshot = token, snapshot


class RunStarted(Message):
    def __init__(self, token: int, config: RunConfig, baseline: bool, python: dict | None = None, cores: int = 0) -> None:
        super().__init__()
        self.token, self.config, self.baseline = token, config, baseline
        self.python, self.cores = python, cores


class LabReady(Message):
    """A run's lab said hello: the interpreter it runs and the cores it sees."""

    def __init__(self, token: int, python: dict, cores: int) -> None:
        super().__init__()
        self.token, self.python, self.cores = token, python, cores


class RunFinished(Message):
    def __init__(self, token: int, report: RunReport | None, error: str | None = None) -> None:
        super().__init__()
        self.token, self.report, self.error = token, report, error


class ReplayEnded(Message):
    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


def message_for(token: int, frame: Frame) -> Message:
    """The message the live app would have received for this replayed frame."""
    if frame.kind == "started":
        assert frame.config is not None
        start = frame.run.start
        return RunStarted(token, frame.config, frame.as_baseline, start.get("python"), int(start.get("cores", 0)))
    if frame.kind == "snapshot":
        assert frame.snapshot is not None
        return SnapshotArrived(token, frame.snapshot)
    return RunFinished(token, frame.report, frame.error)


def legend() -> Text:
    text = Text()
    for state, label in LEGEND.items():
        text.append(legend_glyph(state), style=COLOURS[state])
        text.append(" %s  " % label)
    return text


def result_line(report: RunReport) -> str:
    """One finished run, compactly: what ran, how long, and its lesson's figure."""
    cfg = report.config
    name = {"pools": "pools/" + cfg.executor, "race": "race/lock " + ("on" if cfg.lock else "off")}.get(
        cfg.scenario, cfg.scenario
    )
    line = "%-13s ×%d %6.2f s" % (name, cfg.worker_count, report.wall_s)
    race = report.result.get("race")
    queue = report.result.get("queue")
    if race:
        line += "  lost %d/%d" % (race["lost"], race["expected"])
    elif queue:
        line += "  %d/%d · parent %d" % (queue["got"], queue["put"], queue["parent_global"])
    elif cfg.info.baseline == cfg.scenario:
        line += "  the baseline"
    elif report.speedup is not None and report.theory is not None:
        line += "  %.2f× (theory %g×)" % (report.speedup, report.theory)
    if report.result.get("cancelled"):
        line += " cancelled"
    if report.result.get("failed"):
        line += " FAILED"
    return line


class GilvizApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "gilviz"
    BINDINGS = [
        *[Binding(str(i + 1), "scenario(%d)" % i, SCENARIOS[i].title, show=False) for i in range(len(SCENARIOS))],
        Binding("n", "step(1)", "next"),
        Binding("p", "step(-1)", "prev", show=False),
        Binding("r", "rerun", "re-run"),
        Binding("space", "pause", "pause"),
        Binding("l", "lock", "lock"),
        Binding("e", "executor", "executor", show=False),
        Binding("w", "workers(-1)", "fewer", show=False),
        Binding("W", "workers(1)", "workers+"),
        Binding("plus,equals_sign", "zoom(-1)", "zoom in", show=False),
        Binding("minus", "zoom(1)", "zoom out", show=False),
        Binding("t", "toggle_theme", "theme", show=False),
        Binding("down", "scroll_lanes(1)", "scroll lanes", show=False),
        Binding("up", "scroll_lanes(-1)", "scroll lanes", show=False),
        Binding("pagedown", "scroll_lanes(10)", "page lanes", show=False),
        Binding("pageup", "scroll_lanes(-10)", "page lanes", show=False),
        Binding("s", "save_screenshot", "screenshot"),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        config: RunConfig | None = None,
        *,
        trace: Trace | None = None,
        at: float | None = None,
        speed: float = 1.0,
        record: TraceWriter | None = None,
        theme: str = "dark",
        screenshot_dir: str = ".",
        screenshot_format: str = "svg",
    ) -> None:
        super().__init__()
        if screenshot_format not in FORMATS:
            raise ValueError("screenshot_format is one of %s, not %r" % (", ".join(FORMATS), screenshot_format))
        if config is None:
            if trace is None or not trace.runs:
                raise ValueError("a config, or a trace with at least one run")
            config = trace.runs[0].config
        self.config = config
        self.trace, self.at, self.speed = trace, at, speed
        self.recorder = record
        self.screenshot_dir, self.screenshot_format = screenshot_dir, screenshot_format
        self.session = Session(recorder=record)
        self.paused = False
        self.token = 0
        self.cancel = threading.Event()
        self.reports: list[RunReport] = []  # finished runs, newest first
        self.finished: RunReport | None = None  # the current run's report, once it has ended
        self.snapshot: Snapshot | None = None
        self.python_facts: dict | None = None
        self.cores = 0
        self.status = "starting"
        self.theme = THEMES[theme]

    @property
    def replaying(self) -> bool:
        return self.trace is not None

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="body"):
            yield Static(id="scenarios")
            with Vertical(id="main"):
                with VerticalScroll(id="lanes-box", can_focus=False):
                    yield LanesView(id="lanes")
                yield Static(legend(), id="legend")
                yield CpuMeters(id="meters")
                yield Static(id="panel")
                with Horizontal(id="lower"):
                    with VerticalScroll(id="lesson"):
                        yield Static(id="lesson-text")
                        yield Static(id="code")
                    yield Static(id="results")
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lanes-box").border_title = "lanes"
        self.query_one("#meters").border_title = "CPU (psutil)"
        self.query_one("#lesson").border_title = "lesson · the code that runs"
        self.query_one("#results").border_title = "results (measured)"
        self.query_one("#scenarios").border_title = "scenarios"
        self.fit(self.size.width, self.size.height)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):  # a closed terminal or `kill`: end as q does
            loop.add_signal_handler(sig, self.exit)
        if self.trace is not None and self.at is not None:
            self.show_moment(self.trace, self.at)
        else:
            self.start_run()

    # -- running ------------------------------------------------------------------

    def start_run(self) -> None:
        self.cancel.set()  # the previous run, if any, stops at its next chunk and its lab is ended
        self.cancel = threading.Event()
        self.token += 1
        self.status = "starting"
        self.finished = None
        self.snapshot = None
        self.query_one(LanesView).snapshot = None
        if self.trace is not None:
            self.reports = []
            self.play(self.token, self.trace, self.cancel)
        else:
            self.run_scenario(self.token, self.config, self.cancel)
        self.draw_static()

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def run_scenario(self, token: int, config: RunConfig, cancel: threading.Event) -> None:
        def post(snapshot: Snapshot) -> None:
            self.post_message(SnapshotArrived(token, snapshot))

        def hello(event: dict) -> None:
            self.post_message(LabReady(token, event["python"], int(event["cores"])))

        try:
            if not self.session.has_baseline(config) and config.info.baseline != config.scenario:
                self.post_message(RunStarted(token, config, baseline=True))
                self.session.baseline_for(config, on_snapshot=post, cancel=cancel, on_hello=hello)
            if cancel.is_set():
                return
            self.post_message(RunStarted(token, config, baseline=False))
            report = self.session.run(config, on_snapshot=post, cancel=cancel, on_hello=hello)
        except Exception as exc:  # shown in the UI; the next run starts clean
            self.post_message(RunFinished(token, None, "%s: %s" % (type(exc).__name__, exc)))
            return
        self.post_message(RunFinished(token, report))

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def play(self, token: int, trace: Trace, cancel: threading.Event) -> None:
        """Post a trace's frames at their recorded times (times the speed); pause stops the replay's clock."""
        played = 0.0  # seconds of the recording played so far
        last = time.monotonic()
        for frame in frames(trace):
            while played < frame.t / 1e9:
                if cancel.wait(0.01):
                    return
                now = time.monotonic()
                if not self.paused:
                    played += (now - last) * self.speed
                last = now
            self.post_message(message_for(token, frame))
        self.post_message(ReplayEnded(token))

    def show_moment(self, trace: Trace, at: float) -> None:
        """Apply a replay up to ``at`` seconds at once: the screen as it was at that moment."""
        self.token += 1
        for frame in frames_until(trace, at):
            self.dispatch(message_for(self.token, frame))
        self.status = "replay at %.1f s" % at
        self.draw_static()

    def dispatch(self, message: Message) -> None:
        if isinstance(message, SnapshotArrived):
            self.on_snapshot_arrived(message)
        elif isinstance(message, RunStarted):
            self.on_run_started(message)
        elif isinstance(message, RunFinished):
            self.on_run_finished(message)

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        if message.token != self.token or self.paused:
            return
        coarse_changed = (self.snapshot is not None and self.snapshot.coarse) != message.snapshot.coarse
        self.snapshot = message.snapshot
        with self.batch_update():
            self.query_one(LanesView).snapshot = message.snapshot
            self.query_one(CpuMeters).snapshot = message.snapshot
            if coarse_changed:
                self.draw_static()  # the header says "coarse" from the run's first snapshot, not from its end
            else:
                self.draw_panel()

    def on_run_started(self, message: RunStarted) -> None:
        if message.token != self.token:
            return
        self.config = message.config
        self.finished = None
        if message.python:
            self.python_facts, self.cores = message.python, message.cores
        self.status = "measuring the sequential baseline first" if message.baseline else "live"
        self.draw_static()

    def on_lab_ready(self, message: LabReady) -> None:
        if message.token == self.token and message.python != self.python_facts:
            self.python_facts, self.cores = message.python, message.cores
            self.draw_static()

    def on_run_finished(self, message: RunFinished) -> None:
        if message.token != self.token:
            return
        if message.error:
            self.status = "failed"
            self.notify(message.error, title="the run failed (r re-runs)", severity="error", timeout=8)
        elif message.report is not None:
            report = message.report
            self.python_facts, self.cores = report.python, report.cores
            self.status = "finished"
            if report.config == self.config:
                self.finished = report
            if not report.result.get("cancelled"):
                self.reports = ([report] + self.reports)[:REPORTS_KEPT]
            if report.result.get("failed"):
                failed = "; ".join("%s: %s" % (f["name"], f["reason"]) for f in report.result["failed"])
                self.notify(failed, title="a worker failed (r re-runs)", severity="error", timeout=8)
            if not self.paused and report.config == self.config:
                self.snapshot = report.snapshot
                self.query_one(LanesView).snapshot = report.snapshot
        self.draw_static()

    def on_replay_ended(self, message: ReplayEnded) -> None:
        if message.token == self.token:
            self.status = "replay ended (r replays again)"
            self.draw_static()

    # -- drawing -------------------------------------------------------------------

    def draw_static(self) -> None:
        cfg = self.config
        index = KEYS.index(cfg.scenario)
        compact = self.size.width < NARROW_BELOW  # small terminals: the same facts, fewer words
        title = Text()
        if not compact:
            title.append("gilviz ", style="bold")
        status = "paused" if self.paused else self.status
        if self.replaying and not status.startswith("replay"):
            status = "replay · " + status  # a replayed run's state, as it was live
        title.append(" " + status + " ", style="reverse")
        n = cfg.worker_count
        workers = "×%d" % n if compact else "· %d worker%s" % (n, "" if n == 1 else "s")
        title.append(" %d/%d %s %s" % (index + 1, len(KEYS), cfg.info.title, workers))
        if cfg.scenario == "race":
            title.append(" · lock %s" % ("on" if cfg.lock else "off"), style="bold")
        if cfg.scenario == "pools":
            title.append(" · %s" % cfg.executor if compact else " · %s executor" % cfg.executor, style="bold")
        if self.python_facts:
            line = interpreter_line(self.python_facts, self.cores)
            if compact:
                line = line.replace("GIL enabled", "GIL on").replace("GIL disabled", "GIL off")
            title.append(("  " if compact else "   ") + line)
        if self.snapshot is not None and self.snapshot.coarse:
            title.append("   coarse (no /proc)", style="bold")
        self.query_one("#title", Static).update(title)
        if self.trace is not None:
            recorded = self.trace.header.get("recorded_at", "?").replace("T", " ").rstrip("Z")
            self.query_one("#lanes-box").border_subtitle = "recorded %s UTC on %s" % (recorded, self.trace.recorded_on())

        menu = Text()
        for i, s in enumerate(SCENARIOS):
            style = "reverse" if s.key == cfg.scenario else ""
            label = s.title if len(s.title) <= MENU_LABEL else s.title[: MENU_LABEL - 1] + "…"
            menu.append("%d %s\n" % (i + 1, label), style=style)
        self.query_one("#scenarios", Static).update(menu)

        theme = "ansi_dark" if self.current_theme.dark else "ansi_light"
        self.query_one("#lesson-text", Static).update(cfg.info.lesson)
        self.query_one("#code", Static).update(Syntax(cfg.info.code, "python", theme=theme, background_color="default"))
        lines = [result_line(r) for r in self.reports[:RESULTS_KEPT]]
        self.query_one("#results", Static).update("\n".join(lines) or Text("no finished run yet", style="dim"))
        self.draw_panel()

    def draw_panel(self) -> None:
        panel = self.query_one("#panel", Static)
        scenario = self.config.scenario
        panel.display = scenario in ("race", "queue")
        if scenario == "race":
            panel.border_title = "race · threading.Lock"
            panel.update(race_text(self.config, self.snapshot, self.finished, self.reports, self.python_facts))
        elif scenario == "queue":
            panel.border_title = "queue · multiprocessing.Queue"
            panel.update(queue_text(self.snapshot, self.finished, self.config.worker_count))

    def on_resize(self, event: Resize) -> None:
        was_narrow = self.has_class("-narrow")
        self.fit(event.size.width, event.size.height)
        if self.has_class("-narrow") != was_narrow:
            self.draw_static()  # the header's wording depends on the width

    def fit(self, width: int, height: int) -> None:
        """Drop what matters least as the terminal shrinks; below the minimum, ask for more room."""
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(width < NARROW_BELOW, "-narrow")
        self.set_class(height < SHORT_BELOW, "-short")
        self.set_class(too_small, "-too-small")
        self.query_one(CpuMeters).compact = height < SHORT_BELOW
        self.query_one("#too-small", Static).update(
            "gilviz needs a terminal of at least %d×%d; this one is %d×%d.\nEnlarge the terminal (or press q to quit)."
            % (MIN_SIZE[0], MIN_SIZE[1], width, height)
        )

    # -- actions ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for i, s in enumerate(SCENARIOS):
            yield SystemCommand("Scenario %d: %s" % (i + 1, s.title), s.summary, lambda i=i: self.action_scenario(i))
        yield SystemCommand("Re-run", "run the scenario again", self.action_rerun)
        yield SystemCommand("Pause / resume", "freeze the picture; the run goes on", self.action_pause)
        yield SystemCommand("Lock on / off", "race: protect the counter with a threading.Lock", self.action_lock)
        yield SystemCommand("Executor: thread / process", "pools: switch the executor", self.action_executor)
        yield SystemCommand("Fewer workers", "one worker fewer, and re-run", lambda: self.action_workers(-1))
        yield SystemCommand("More workers", "one worker more, and re-run", lambda: self.action_workers(1))
        yield SystemCommand("Zoom in", "fewer milliseconds per column", lambda: self.action_zoom(-1))
        yield SystemCommand("Zoom out", "more milliseconds per column", lambda: self.action_zoom(1))
        yield SystemCommand("Light / dark theme", "light reads better on a projector", self.action_toggle_theme)
        yield SystemCommand(
            "Save a screenshot",
            "an %s of the screen, in the screenshot directory" % self.screenshot_format.upper(),
            self.action_save_screenshot,
        )
        yield SystemCommand("Help", "keys and how to read the lanes", self.action_help)

    def live_only(self) -> bool:
        """True when runs can be started; in a replay says why not."""
        if self.replaying:
            self.notify("this is a replay: r replays it again; start `gilviz` to run scenarios live")
            return False
        return True

    def switch(self, **changes) -> None:
        if self.live_only():
            self.config = replace(self.config, **changes)
            self.start_run()

    def action_scenario(self, index: int) -> None:
        self.switch(scenario=KEYS[index], workers=None)

    def action_step(self, delta: int) -> None:
        self.action_scenario((KEYS.index(self.config.scenario) + delta) % len(KEYS))

    def action_rerun(self) -> None:
        self.start_run()

    def action_pause(self) -> None:
        self.paused = not self.paused
        self.draw_static()

    def action_lock(self) -> None:
        if self.config.scenario != "race":
            self.notify("l toggles the lock in the race scenario (%d)" % (KEYS.index("race") + 1))
            return
        self.switch(lock=not self.config.lock)

    def action_executor(self) -> None:
        if self.config.scenario != "pools":
            self.notify("e flips the executor in the pools scenario (%d)" % (KEYS.index("pools") + 1))
            return
        self.switch(executor="process" if self.config.executor == "thread" else "thread")

    def action_workers(self, delta: int) -> None:
        workers = max(1, min(MAX_WORKERS, self.config.worker_count + delta))
        if workers != self.config.worker_count:
            self.switch(workers=workers)

    def action_zoom(self, delta: int) -> None:
        lanes = self.query_one(LanesView)
        lanes.zoom = max(0, min(len(ZOOMS) - 1, lanes.zoom + delta))
        lanes.refresh()

    def action_scroll_lanes(self, rows: int) -> None:
        self.query_one("#lanes-box", VerticalScroll).scroll_relative(y=rows, animate=False)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.current_theme.dark else THEMES["dark"]
        self.draw_static()

    def action_save_screenshot(self) -> None:
        """Save the screen as SVG or PNG (``screenshot_format``), named after the scenario and the time, and say where."""
        cfg = self.config
        variant = {"race": "-lock-" + ("on" if cfg.lock else "off"), "pools": "-" + cfg.executor}.get(cfg.scenario, "")
        name = "gilviz-%s%s-%s.%s" % (cfg.scenario, variant, time.strftime("%Y%m%d-%H%M%S"), self.screenshot_format)
        path = os.path.join(self.screenshot_dir, name)
        if self.screenshot_format == "png":
            data: str | bytes = screen_png(self)
        else:
            data = self.export_screenshot(title="gilviz · " + cfg.info.title)
        try:
            write_atomically(path, data)
        except OSError as exc:
            self.notify("%s: %s" % (path, exc.strerror or exc), title="screenshot not saved", severity="error", timeout=8)
            return
        self.notify(os.path.abspath(path), title="screenshot saved", timeout=6)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.cancel.set()
        try:  # let the run end cleanly, so its lab is gone and a recording gets the run's end
            await asyncio.wait_for(self.workers.wait_for_complete(), timeout=3.0)
        except asyncio.TimeoutError:
            pass
        self.exit()

    def on_unmount(self) -> None:
        self.cancel.set()
        if self.recorder is not None:
            self.recorder.close()
