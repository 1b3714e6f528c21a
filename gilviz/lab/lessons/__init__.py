"""The lessons: one module each, each defining ``LESSON`` (a ``gilviz.lab.lesson.Lesson``).

The registry is this package: every module in it that defines ``LESSON`` is a lesson,
in the order of their ``order`` attribute. Adding a lesson is adding a module here
(docs/adding-a-lesson.md). Standard library only, like the rest of the lab.
"""

from __future__ import annotations

import importlib
import pkgutil

from gilviz.lab.lesson import Lesson


def discover() -> list[Lesson]:
    """The ``LESSON`` of every module of this package, by ``order``."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        lesson = getattr(importlib.import_module(__name__ + "." + info.name), "LESSON", None)
        if isinstance(lesson, Lesson):
            found.append(lesson)
    keys = [lesson.key for lesson in found]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError("two lesson modules define the key %s: a key is one lesson's" % ", ".join(twice))
    return sorted(found, key=lambda lesson: lesson.order)


LESSONS = discover()
