"""The output formats, each a row of a table that the CLI's choices and help read (no textual).

- ``EXPORTS``: what ``gilviz export --format NAME`` turns a trace into (its file suffix,
  a line for the help, and the conversion, which also says what it wrote).
- ``SCREENSHOTS``: the pictures ``gilviz screenshot -o FILE`` and the dashboard's ``s`` key
  (``--screenshot-format``) make; the UI draws each one (``gilviz.ui.screenshot.RENDERERS``).

Adding a format is a row here (and, for a picture, its renderer in the UI).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the CLI reads the tables at start-up: the converters' modules load when one runs
    from gilviz.trace import Trace


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str  # what the file's name ends in, as a hint
    what: str  # for the help
    convert: Callable[[Trace], tuple[str, str]]  # the file's text, and what it holds ("(12 events); open it in ...")


def _chrome(trace: Trace) -> tuple[str, str]:
    from gilviz.chrome_trace import to_chrome_trace

    doc = to_chrome_trace(trace)
    said = "(%d events); open it in https://ui.perfetto.dev or chrome://tracing" % len(doc["traceEvents"])
    return json.dumps(doc), said


EXPORTS = {f.name: f for f in (ExportFormat("chrome", ".json", "Chrome trace JSON (Perfetto, chrome://tracing)", _chrome),)}
DEFAULT_EXPORT = "chrome"


@dataclass(frozen=True)
class PictureFormat:
    name: str
    suffix: str
    what: str  # for the help


SCREENSHOTS = {
    p.name: p
    for p in (
        PictureFormat("svg", ".svg", "SVG: its text stays text, it scales"),
        PictureFormat("png", ".png", "PNG: painted cell by cell, for slides and chats"),
    )
}
SCREENSHOT_FORMATS = tuple(SCREENSHOTS)  # the names, the first the default
DEFAULT_SCREENSHOT = SCREENSHOT_FORMATS[0]


def screenshot_format_of(path: str) -> str | None:
    """The picture format a file name asks for, by its suffix (any case), or None."""
    suffix = os.path.splitext(path)[1].lower()
    return next((p.name for p in SCREENSHOTS.values() if p.suffix == suffix), None)


def names(formats: dict, default: str) -> str:
    """ "svg (default) or png": the names of a table for a help line."""
    listed = ["%s (default)" % name if name == default else name for name in formats]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]
