"""The gilviz dashboard: a Textual app that runs scenarios in the lab and draws them live (layer: UI).

A thread worker runs each scenario through the engine's ``Session`` (its baseline
first, when missing); the sampler's snapshots arrive as messages about 20 times a
second and are applied in one batch. Each run has a token, so messages from a run that
was switched away from are dropped.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from gilviz.lab.scenarios import MAX_WORKERS, SCENARIOS
from gilviz.measure import RunConfig, RunReport, Session
from gilviz.report import interpreter_line
from gilviz.timeline import Snapshot
from gilviz.ui.drawing import COLOURS, GLYPHS, LEGEND
from gilviz.ui.lanes import ZOOMS, LanesView
from gilviz.ui.meters import CpuMeters

KEYS = [s.key for s in SCENARIOS]
RESULTS_KEPT = 6


class SnapshotArrived(Message):
    def __init__(self, token: int, snapshot: Snapshot) -> None:
        super().__init__()
        self.token, self.snapshot = token, snapshot


class RunStarted(Message):
    def __init__(self, token: int, config: RunConfig, baseline: bool) -> None:
        super().__init__()
        self.token, self.config, self.baseline = token, config, baseline


class RunFinished(Message):
    def __init__(self, token: int, report: RunReport | None, error: str | None = None) -> None:
        super().__init__()
        self.token, self.report, self.error = token, report, error


def legend() -> Text:
    text = Text()
    for state, label in LEGEND.items():
        glyph = "▄" if state == "running" else GLYPHS[state]
        text.append(glyph, style=COLOURS[state])
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
        line += "  lost %d of %d" % (race["lost"], race["expected"])
    elif queue:
        line += "  got %d/%d · items_made %d≠%d" % (queue["got"], queue["put"], queue["child_global"], queue["parent_global"])
    elif report.speedup is not None and report.theory is not None:
        line += "  %.2f× (theory %g×)" % (report.speedup, report.theory)
    if report.result.get("cancelled"):
        line += " cancelled"
    return line


class GilvizApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "gilviz"
    BINDINGS = [
        *[Binding(str(i + 1), "scenario(%d)" % i, SCENARIOS[i].title, show=False) for i in range(len(SCENARIOS))],
        Binding("n", "step(1)", "next"),
        Binding("p", "step(-1)", "prev"),
        Binding("r", "rerun", "re-run"),
        Binding("space", "pause", "pause"),
        Binding("l", "lock", "lock"),
        Binding("e", "executor", "executor"),
        Binding("w", "workers(-1)", "fewer", show=False),
        Binding("W", "workers(1)", "more workers"),
        Binding("plus,equals_sign", "zoom(-1)", "zoom in", show=False),
        Binding("minus", "zoom(1)", "zoom out"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, config: RunConfig) -> None:
        super().__init__()
        self.config = config
        self.session = Session()
        self.paused = False
        self.token = 0
        self.cancel = threading.Event()
        self.results: list[str] = []
        self.python_facts: dict | None = None
        self.cores = 0
        self.status = "starting"

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="body"):
            yield Static(id="scenarios")
            with Vertical(id="main"):
                with VerticalScroll(id="lanes-box"):
                    yield LanesView(id="lanes")
                yield Static(legend(), id="legend")
                yield CpuMeters(id="meters")
                with Horizontal(id="lower"):
                    yield Static(id="lesson")
                    yield Static(id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lanes-box").border_title = "lanes"
        self.query_one("#meters").border_title = "CPU (psutil)"
        self.query_one("#lesson").border_title = "lesson"
        self.query_one("#results").border_title = "results (measured)"
        self.query_one("#scenarios").border_title = "scenarios"
        self.start_run()

    # -- running ------------------------------------------------------------------

    def start_run(self) -> None:
        self.cancel.set()  # the previous run, if any, stops at its next chunk and its lab is ended
        self.cancel = threading.Event()
        self.token += 1
        self.status = "starting"
        self.query_one(LanesView).snapshot = None
        self.draw_static()
        self.run_scenario(self.token, self.config, self.cancel)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def run_scenario(self, token: int, config: RunConfig, cancel: threading.Event) -> None:
        def post(snapshot: Snapshot) -> None:
            self.post_message(SnapshotArrived(token, snapshot))

        try:
            if not self.session.has_baseline(config) and config.info.baseline != config.scenario:
                self.post_message(RunStarted(token, config, baseline=True))
                self.session.baseline_for(config, on_snapshot=post, cancel=cancel)
            if cancel.is_set():
                return
            self.post_message(RunStarted(token, config, baseline=False))
            report = self.session.run(config, on_snapshot=post, cancel=cancel)
        except Exception as exc:  # shown in the UI; the next run starts clean
            self.post_message(RunFinished(token, None, "%s: %s" % (type(exc).__name__, exc)))
            return
        self.post_message(RunFinished(token, report))

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        if message.token != self.token or self.paused:
            return
        with self.batch_update():
            self.query_one(LanesView).snapshot = message.snapshot
            self.query_one(CpuMeters).snapshot = message.snapshot

    def on_run_started(self, message: RunStarted) -> None:
        if message.token == self.token:
            self.status = "measuring the sequential baseline first" if message.baseline else "live"
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
            if not report.result.get("cancelled"):
                self.results = ([result_line(report)] + self.results)[:RESULTS_KEPT]
            if not self.paused:
                self.query_one(LanesView).snapshot = report.snapshot
        self.draw_static()

    # -- drawing -------------------------------------------------------------------

    def draw_static(self) -> None:
        cfg = self.config
        index = KEYS.index(cfg.scenario)
        title = Text()
        title.append("gilviz", style="bold")
        n = cfg.worker_count
        title.append(" · %d/%d %s · %d worker%s" % (index + 1, len(KEYS), cfg.info.title, n, "" if n == 1 else "s"))
        if cfg.scenario == "race":
            title.append(" · lock %s" % ("on" if cfg.lock else "off"), style="bold")
        if cfg.scenario == "pools":
            title.append(" · %s executor" % cfg.executor, style="bold")
        if self.python_facts:
            title.append("   " + interpreter_line(self.python_facts, self.cores))
        title.append("   " + ("paused" if self.paused else self.status), style="reverse")
        self.query_one("#title", Static).update(title)

        menu = Text()
        for i, s in enumerate(SCENARIOS):
            style = "reverse" if s.key == cfg.scenario else ""
            label = s.title if len(s.title) <= 24 else s.title[:23] + "…"
            menu.append("%d %s\n" % (i + 1, label), style=style)
        self.query_one("#scenarios", Static).update(menu)

        code = Syntax(cfg.info.code, "python", theme="ansi_dark").highlight(cfg.info.code)
        self.query_one("#lesson", Static).update(Text.assemble(cfg.info.lesson + "\n\n", code))
        self.query_one("#results", Static).update("\n".join(self.results) or Text("no finished run yet", style="dim"))

    # -- actions ---------------------------------------------------------------------

    def switch(self, **changes) -> None:
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
            self.notify("l toggles the lock in the race scenario (8)")
            return
        self.switch(lock=not self.config.lock)

    def action_executor(self) -> None:
        if self.config.scenario != "pools":
            self.notify("e flips the executor in the pools scenario (7)")
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

    async def action_quit(self) -> None:
        self.cancel.set()
        self.exit()

    def on_unmount(self) -> None:
        self.cancel.set()
