"""The keys that start a run (``RunKeys``, a mixin of the app): scenario, re-run, series, variants, pause, pin.

Each asks the source what it can do (``can_switch``, ``can_rerun``), never its type.
"""

from __future__ import annotations

from gilviz.lab.scenarios import BY_KEY, SCENARIOS
from gilviz.ui.host import Host
from gilviz.ui.lanes import LanesView
from gilviz.ui.state import HEADER, LANES, PANEL

KEYS = [s.key for s in SCENARIOS]
SLOW_MOTION_MS = 50.0
REPEATS = 5  # R: runs for a median and a range


class RunKeys(Host):
    def switch(self, **changes) -> None:
        if self.source.can_switch:
            self.state.config = self.source.switch(**changes)
            self.start_run()

    def action_scenario(self, index: int) -> None:
        key = KEYS[index]
        cfg = self.state.scenario
        motion = cfg.switch_interval_ms if cfg is not None and BY_KEY[key].threads_side_by_side else None
        if cfg is None or key != cfg.scenario:
            self.query_one("#lanes", LanesView).fold = None  # a fold is for the scenario it was made in
        self.switch(scenario=key, workers=None, iterations=None, switch_interval_ms=motion)

    def action_step(self, delta: int) -> None:
        cfg = self.state.scenario
        current = KEYS.index(cfg.scenario) if cfg is not None else 0
        self.action_scenario((current + delta) % len(KEYS))

    def action_rerun(self) -> None:
        if self.source.can_rerun:
            self.start_run()

    def action_repeat(self) -> None:
        """Five runs, each after a baseline run of its own: the results show the median and the range."""
        if self.source.can_switch:
            self.source.repeats = REPEATS
            self.notify("%d runs, each after a baseline run: the median and range come at the end" % REPEATS, timeout=4)
            self.start_run()

    def action_resume(self) -> None:
        self.action_pause()

    def action_pause(self) -> None:
        self.state.paused = not self.state.paused
        if not self.state.paused:
            self.cursor_reset()  # the picture moves again
        if not self.state.paused and self.state.finished is not None:
            self.state.snapshot = self.state.finished.snapshot  # the run ended while paused: show its end
            self.draw({LANES, PANEL})
        self.draw({HEADER})

    def action_lock(self) -> None:
        cfg = self.state.scenario
        if cfg is not None and cfg.info.variant_option == "lock":
            self.switch(lock=not cfg.lock)

    def action_executor(self) -> None:
        cfg = self.state.scenario
        if cfg is not None and cfg.info.variant_option == "executor":
            self.switch(executor="process" if cfg.executor == "thread" else "thread")

    def action_workers(self, delta: int) -> None:
        cfg = self.state.scenario
        if cfg is None:
            return
        workers = max(1, min(cfg.info.max_workers, cfg.worker_count + delta))
        if workers == cfg.worker_count:
            self.notify("%s runs %s" % (cfg.scenario, "1 worker" if workers == 1 else "%d workers at most" % workers))
        if workers != cfg.worker_count:
            self.switch(workers=workers)

    def action_slow_motion(self) -> None:
        """Toggle a 50 ms switch interval and re-run; the lanes zoom in to 10 ms columns to show the turns."""
        cfg = self.state.scenario
        if cfg is None or not cfg.info.threads_side_by_side:
            return
        slow = not cfg.switch_interval_ms
        self.query_one("#lanes", LanesView).zoom = 0 if slow else 1
        self.switch(switch_interval_ms=SLOW_MOTION_MS if slow else None)

    def action_compare(self) -> None:
        """Pin the finished run (the next run is drawn under it), or unpin."""
        if self.state.pinned is not None:
            self.state.pinned = None
        elif self.state.finished is not None:
            self.state.pinned = self.state.finished
            self.notify("pinned: run another to see both", timeout=3)
        else:
            self.notify("c pins a finished run: wait for this one to end")
            return
        self.refresh_bindings()  # the footer's c: "pin" or "unpin"
        self.draw({LANES})

    def action_unpin(self) -> None:
        self.action_compare()
