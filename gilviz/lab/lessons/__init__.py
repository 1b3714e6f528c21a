"""The lessons: one module each, each defining ``LESSON`` (a ``gilviz.lab.lesson.Lesson``).

The registry is this package: every module in it that defines ``LESSON`` is a lesson,
in the order of their ``order`` attribute. Adding a lesson is adding a module here
(docs/adding-a-lesson.md). Standard library only, like the rest of the lab.
"""

from __future__ import annotations

import importlib
import pkgutil

from gilviz.lab.lesson import Lesson


def discover(package: str = __name__, path=None) -> list[Lesson]:
    """The ``LESSON`` of every module of ``package`` (at ``path``), by ``order``."""
    found = []
    for info in pkgutil.iter_modules(__path__ if path is None else path):
        lesson = getattr(importlib.import_module(package + "." + info.name), "LESSON", None)
        if isinstance(lesson, Lesson):
            found.append(lesson)
    return sorted(found, key=lambda lesson: lesson.order)


LESSONS = discover()
