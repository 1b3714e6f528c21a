"""The events every source posts, as plain data (no textual).

The UI wraps each in one Textual message and hands it to ``DashboardState.apply``;
nothing here knows about Textual, so a replay can apply events without an event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.timeline import Snapshot


@dataclass(frozen=True)
class RunStarted:
    """A run begins: a scenario (``baseline``: its sequential baseline, measured first) or a program."""

    config: RunConfig | WatchConfig
    baseline: bool = False
    python: dict | None = None  # the interpreter's facts, when already known
    cores: int = 0
    progress: str = ""  # in a series of runs (R): "run 3 of 5 · so far 0.95–1.01×"


@dataclass(frozen=True)
class InterpreterKnown:
    """The run's interpreter introduced itself (the lab's hello, or a watched program's facts)."""

    python: dict
    cores: int


@dataclass(frozen=True)
class SnapshotTaken:
    snapshot: Snapshot


@dataclass(frozen=True)
class RunFinished:
    report: RunReport | None
    error: str | None = None


@dataclass(frozen=True)
class ReplayEnded:
    pass


@dataclass(frozen=True)
class ProgramOutput:
    """The last lines a watched program wrote (to ``path``)."""

    lines: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Problem:
    """A part of gilviz failed while the run goes on (the recording stopped: a full disk): one line to show."""

    text: str


Event = Union[RunStarted, InterpreterKnown, SnapshotTaken, RunFinished, ReplayEnded, ProgramOutput, Problem]
