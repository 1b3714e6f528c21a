"""Writing a recording (``TraceWriter``) and the timeline that records its inputs as it is fed (no textual).

The format is ``gilviz.trace``'s (one JSON object a line); a recording is written to
``PATH.partial``, a line at a time and flushed, and renamed to ``PATH`` when it closes
(gzip-compressed first when ``PATH`` ends in ``.gz``).
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import platform
import threading
import time
from typing import IO, Any

from gilviz import __version__
from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.states import CORE_WAIT, N_STATES, RUNNING
from gilviz.timeline import Timeline
from gilviz.trace_format import FORMAT, SLOT_FIELDS, VERSION, config_to_dict


class TraceWriter:
    """Appends a recording's lines to ``PATH.partial``; ``close()`` renames it to ``PATH``.

    Opening fails (OSError) before anything runs when the directory is missing or not
    writable. Safe to call from the sampler thread and the run's thread at once. A write
    that fails later (a full disk) never reaches the caller: the recording stops there,
    ``error`` says why in one line, and the ``.partial`` file is left as it is.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.partial_path = path + ".partial"
        self._file: IO[str] | None = open(self.partial_path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self._lock = threading.Lock()
        self._origin = time.monotonic_ns()
        self.error: str | None = None  # why the recording stopped early (then nothing more is written)
        self._python: dict = {}  # the run's interpreter facts as it started
        self.write(
            {
                "format": FORMAT,
                "version": VERSION,
                "gilviz": __version__,
                "recorded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "host": {"system": platform.system(), "machine": platform.machine(), "cpus": os.cpu_count()},
            },
            header=True,
        )
        if self.error is not None:
            raise OSError(self.error)

    def rel(self, ns: int) -> int:
        """A monotonic timestamp as nanoseconds since the recording began (0 stays 0: "not yet")."""
        return ns - self._origin if ns else 0

    def now(self) -> int:
        return time.monotonic_ns() - self._origin

    def write(self, event: dict, *, header: bool = False) -> None:
        """Append one event, stamped with the time it is written (so times never go backwards)."""
        with self._lock:
            if self._file is None:
                return
            if not header:
                event = {"ev": event.pop("ev"), "t": self.now(), **event}
            try:
                self._file.write(json.dumps(event, separators=(",", ":")) + "\n")
                self._file.flush()
            except (OSError, ValueError) as exc:  # a full disk, a file gone: the recording ends here, the run goes on
                from gilviz.outside import visible

                self.error = "recording to %s stopped: %s" % (
                    visible(self.partial_path),
                    visible(getattr(exc, "strerror", None) or exc),
                )
                file, self._file = self._file, None
                try:
                    file.close()
                except (OSError, ValueError):
                    pass

    def run_started(
        self, config: RunConfig | WatchConfig, python: dict, cores: int, *, as_baseline: bool, timeline: Timeline
    ) -> None:
        self._python = python
        self.write(
            {
                "ev": "run",
                "config": config_to_dict(config),
                "as_baseline": as_baseline,
                "python": python,
                "cores": cores,
                "bin_s": timeline.bin_s,
                "coarse": timeline.coarse,
            }
        )

    def run_finished(self, report: RunReport) -> None:
        self.write(
            {
                "ev": "end",
                "result": report.result,
                "core_busy": report.core_busy,
                "sampler_cpu_s": round(report.sampler_cpu_s, 6),
                "sampler_ticks": report.sampler_ticks,
                "sampler_calm_ticks": report.sampler_calm_ticks,
                "sampler_interval_s": report.sampler_interval_s,
                "sampler_calm_interval_s": report.sampler_calm_interval_s,
                "watched": report.watched,
                **({"machine": report.machine.to_json()} if report.machine is not None else {}),
                **({"python": report.python} if report.python != self._python else {}),  # a shim exec'd it
            }
        )

    def run_failed(self, error: str) -> None:
        self.write({"ev": "end", "error": error})

    def timeline(self, **kwargs: Any) -> RecordingTimeline:
        """A fresh timeline for one run, whose inputs go into this recording (``bin_s``, as ``Timeline``)."""
        return RecordingTimeline(self, **kwargs)

    def close(self) -> None:
        """Finish the file and give it its name (once)."""
        with self._lock:
            if self._file is None:
                return  # closed already, or stopped by an error (its .partial file stays, as the error says)
            self._file.close()
            self._file = None
        if self.path.endswith(".gz"):
            with open(self.partial_path, "rb") as plain, gzip.open(self.partial_path + ".gz", "wb") as packed:
                packed.writelines(plain)
            os.replace(self.partial_path + ".gz", self.path)
            os.unlink(self.partial_path)
        else:
            os.replace(self.partial_path, self.path)


class RecordingTimeline(Timeline):
    """A timeline that also writes every input it is given to a trace (lanes only when they change)."""

    def __init__(self, writer: TraceWriter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.writer = writer
        self._seen: dict[int, tuple] = {}

    def set_window(self, start_ns: int, end_ns: int) -> None:
        if (start_ns, end_ns) != self._window:  # the sampler sets it every tick; record changes only
            w = self.writer
            w.write({"ev": "window", "start": w.rel(start_ns), "end": w.rel(end_ns)})
        super().set_window(start_ns, end_ns)

    def lane_seen(self, view, born_ns: int = 0) -> None:
        values = tuple(getattr(view, f) for f in SLOT_FIELDS)
        if self._seen.get(view.slot) != values or born_ns:
            self._seen[view.slot] = values
            event = {"ev": "lane", **dict(zip(SLOT_FIELDS, values))}
            if born_ns:
                event["born"] = self.writer.rel(born_ns)
            self.writer.write(event)
        super().lane_seen(view, born_ns)

    def add_interval(
        self, slot: int, t0_ns: int, t1_ns: int, times: tuple[float, ...], wait: str = "", disagree_s: float = 0.0
    ) -> None:
        w = self.writer
        event = {"ev": "iv", "slot": slot, "t0": w.rel(t0_ns), "t1": w.rel(t1_ns), "times": [round(x, 6) or 0 for x in times]}
        if wait:
            event["wait"] = wait
        if disagree_s:
            event["dis"] = round(disagree_s, 6)
        w.write(event)
        super().add_interval(slot, t0_ns, t1_ns, times, wait, disagree_s)

    def add_switches(self, slot: int, t_ns: int, switches: int) -> None:
        self.writer.write({"ev": "sw", "slot": slot, "at": self.writer.rel(t_ns), "n": switches})
        super().add_switches(slot, t_ns, switches)

    def add_split(
        self,
        slot: int,
        t0_ns: int,
        t1_ns: int,
        running: float,
        core: float,
        state: int,
        blocked: float,
        wait: str,
        disagree_s: float,
    ) -> None:
        times = [0.0] * N_STATES
        times[RUNNING], times[CORE_WAIT] = running, core
        times[state] += blocked
        self.add_interval(slot, t0_ns, t1_ns, tuple(times), wait, disagree_s)

    def add_cpu(self, percents: tuple[float, ...]) -> None:
        self.writer.write({"ev": "cpu", "percents": [round(p, 1) for p in percents]})
        super().add_cpu(percents)

    def set_gil(self, pid: int, detail: str, known: bool) -> None:
        self.writer.write({"ev": "gil", "pid": pid, "detail": detail, "known": known})
        super().set_gil(pid, detail, known)

    def set_denied(self) -> None:
        self.writer.write({"ev": "denied"})
        super().set_denied()

    def set_gil_state(self, pid: int, readable: bool, detail: str) -> None:
        self.writer.write({"ev": "gilstate", "pid": pid, "readable": readable, "detail": detail})
        super().set_gil_state(pid, readable, detail)

    def add_gil(self, pid: int, t_ns: int, locked: bool, slot: int, call: str, switch_number: int, interval_us: int) -> None:
        w = self.writer
        event = {"ev": "gilread", "pid": pid, "at": w.rel(t_ns), "locked": locked, "n": switch_number, "interval_us": interval_us}
        if slot >= 0:
            event["holder"] = slot
        if call:
            event["call"] = call
        w.write(event)
        super().add_gil(pid, t_ns, locked, slot, call, switch_number, interval_us)
