"""SVG screenshots: of the live screen (the `s` key) and headless, of a trace at a moment (layer: UI).

A headless screenshot replays the trace up to the moment at once (``GilvizApp(at=...)``)
in a terminal of the given size that is never shown, so the same trace, moment, size
and theme give the same SVG, byte for byte. Files are written to a temporary name in
the same directory and renamed, so a screenshot is either whole or not there.
"""

from __future__ import annotations

import os
import tempfile

from gilviz.trace import Trace

_UMASK = os.umask(0o022)  # read once at import (umask can only be read by setting it) ...
os.umask(_UMASK)  # ... and put back at once


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory (OSError if it cannot)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".gilviz-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a saved file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def render_svg(trace: Trace, at: float, *, size: tuple[int, int] = (120, 36), theme: str = "dark") -> str:
    """The dashboard's screen ``at`` seconds into the trace, as SVG text."""
    from gilviz.ui.app import GilvizApp

    app = GilvizApp(trace=trace, at=at, theme=theme)
    box: dict[str, str] = {}

    async def shoot(pilot) -> None:
        await pilot.pause()
        box["svg"] = app.export_screenshot(title="gilviz")
        app.exit()

    app.run(headless=True, size=size, auto_pilot=shoot)
    if "svg" not in box:
        raise RuntimeError("the headless dashboard ended before its screenshot was taken")
    return box["svg"]
