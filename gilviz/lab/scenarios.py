"""The scenario catalogue: the registry's view, with the sizes (standard library only).

Each lesson is one module of ``gilviz.lab.lessons`` (a ``gilviz.lab.lesson.Lesson``);
``SCENARIOS`` lists them in their order and ``BY_KEY`` finds one by key. The lab reads it
to run a scenario, the CLI and UI read it to list and explain them. The sizes and limits
are in ``gilviz.lab.sizes``, re-exported here.
"""

from __future__ import annotations

from gilviz.lab.lesson import Lesson
from gilviz.lab.lessons import LESSONS
from gilviz.lab.sizes import (
    EXECUTORS,
    HASH_BYTES,
    MAX_TASKS,
    MAX_WORKERS,
    SIZES,
    START_METHODS,
    Size,
    usable_cores,
)

Scenario = Lesson  # the older name: a scenario is a lesson

SCENARIOS: list[Lesson] = list(LESSONS)
BY_KEY = {s.key: s for s in SCENARIOS}
KEYS = tuple(BY_KEY)

__all__ = [
    "BY_KEY",
    "EXECUTORS",
    "HASH_BYTES",
    "KEYS",
    "MAX_TASKS",
    "MAX_WORKERS",
    "SCENARIOS",
    "SIZES",
    "START_METHODS",
    "Scenario",
    "Size",
    "usable_cores",
]
