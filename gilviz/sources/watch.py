"""The watch source: a user's program, or a running pid, watched until it ends (no textual).

Besides the snapshots, it follows the program's output file (its stdout and stderr go
there, never over the dashboard) and posts the last lines a few times a second. Those
lines are outside text: every escape sequence but colour (SGR) is taken out (a window
title, a clipboard write, a cleared screen, a cursor move), every other control character
is made visible, and the SGR sequences left are for the panel to turn into colour.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Callable

from gilviz.model import RunReport, WatchConfig
from gilviz.outside import TEXT_LIMIT, visible
from gilviz.sources.base import Defaults
from gilviz.sources.events import Event, InterpreterKnown, Problem, ProgramOutput, RunFinished, RunStarted, SnapshotTaken
from gilviz.timeline import Snapshot
from gilviz.trace import TraceWriter
from gilviz.watch import WatchError, watch_program

OUTPUT_LINES = 8
OUTPUT_EVERY_S = 0.25
TAIL_BYTES = 16384
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colour (SGR), cursor moves, clears, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC to BEL or ST: window title, clipboard, links
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC to ST
    r"|\x1b[ -/]*[0-~]"  # the rest: character sets, keypad modes, resets
)
_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def output_line(line: str) -> str:
    """One line of a program's output as it may be shown: only SGR sequences act (as colour); the rest is visible."""
    line = line[:TEXT_LIMIT].expandtabs(8)
    parts, pos = [], 0
    for found in _ESCAPE.finditer(line):
        parts.append(visible(line[pos : found.start()]))
        if _SGR.fullmatch(found.group()):
            parts.append(found.group())
        pos = found.end()
    parts.append(visible(line[pos:]))
    return "".join(parts)


def tail(path: str, lines: int = OUTPUT_LINES) -> tuple[str, ...]:
    """The last ``lines`` lines of a file (what fits in the last 16 KB), "" for none."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - TAIL_BYTES))
            data = f.read()
    except OSError:
        return ()
    text = data.decode("utf-8", "replace").replace("\r", "")
    pieces = text.split("\n")  # not splitlines(): a form feed or a U+2028 from outside is not a line break
    if pieces[-1] == "":
        pieces.pop()
    return tuple(output_line(line) for line in pieces[-lines:])


class WatchSource(Defaults):
    """One program (or pid), watched once until it ends: nothing to switch to or run again."""

    can_rerun = False
    quit_wait_s = 10.0  # a watched program gets SIGINT, then SIGTERM, then SIGKILL, 2 s apart
    stopping = "stopping the program"
    waiting_text: str | None = "starting the program…"

    def __init__(self, config: WatchConfig, *, recorder: TraceWriter | None = None) -> None:
        self.config = config
        self.recorder = recorder
        self.report: RunReport | None = None  # once the program has ended (what gilviz exits with)
        self.frame_s: float | None = None  # how often the dashboard draws: the sampler's snapshots come then

    def run(self, post: Callable[[Event], None], cancel: threading.Event, paused: Callable[[], bool] = lambda: False) -> None:
        post(RunStarted(self.config))
        done = threading.Event()
        follower = None
        if self.config.output:
            follower = threading.Thread(target=self._follow, args=(post, done), name="gilviz-output", daemon=True)
            follower.start()

        def started(pid: int, python: dict, cores: int) -> None:
            post(InterpreterKnown(python, cores))

        told: list[str] = []

        def snapshot(snap: Snapshot) -> float | None:
            post(SnapshotTaken(snap))
            if self.recorder is not None and self.recorder.error and not told:  # said at once, not at the end
                told.append(self.recorder.error)
                post(Problem(self.recorder.error))
            return self.frame_s

        try:
            report = watch_program(
                self.config,
                on_snapshot=snapshot,
                on_started=started,
                cancel=cancel,
                recorder=self.recorder,
            )
        except (WatchError, Exception) as exc:
            post(RunFinished(None, str(exc) if isinstance(exc, WatchError) else "%s: %s" % (type(exc).__name__, exc)))
            return
        finally:
            done.set()
            if follower is not None:
                follower.join()
        self.report = report
        post(RunFinished(report))

    def exit_status(self) -> int:
        """The program's exit status once it has ended (what `gilviz watch` exits with), else 0."""
        code = self.report.result.get("exit_code") if self.report is not None else None
        return code if isinstance(code, int) else 0

    def _follow(self, post: Callable[[Event], None], done: threading.Event) -> None:
        path = self.config.output
        assert path is not None
        shown: tuple[str, ...] = ()
        while True:
            finished = done.wait(OUTPUT_EVERY_S)
            lines = tail(path)
            if lines != shown:
                shown = lines
                post(ProgramOutput(lines, path))
            if finished:
                return
