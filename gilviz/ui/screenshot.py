"""Screenshots, SVG or PNG: of the live screen (the `s` key) and headless, of a trace at a moment.

A headless screenshot replays the trace up to the moment at once (``replay_app(trace, at=...)``)
in a terminal of the given size that is never shown, so the same trace, moment, size
and theme give the same SVG or PNG, byte for byte. SVG is Textual's own export; PNG is
painted cell by cell by ``gilviz.ui.png``.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from gilviz.formats import SCREENSHOT_FORMATS
from gilviz.trace import Trace

FORMATS = SCREENSHOT_FORMATS  # gilviz.formats.SCREENSHOTS' names; each drawn by its RENDERERS entry below
T = TypeVar("T")


def _headless(
    trace: Trace,
    at: float,
    size: tuple[int, int],
    theme: str,
    shoot: Callable[..., T],
    *,
    live: bool = False,
    footer: bool = False,
    pin=None,
    present: bool = False,
) -> T:
    """``shoot(app)`` on the dashboard's screen ``at`` seconds into the trace, in a hidden terminal.

    ``live``: the trace was recorded for this picture just now, so the screen is not titled a replay.
    ``footer``: keep the footer of keys, which a still does not need.
    ``pin``: the config of a run to draw above the last one, on one time scale (a comparison).
    ``present``: presenter mode (header, lanes, meters and the one figure).
    """
    from gilviz.ui.app import replay_app

    app = replay_app(trace, at=at, theme=theme, still=not footer, live_still=live, pin=pin, present=present)
    box: dict[str, T] = {}

    async def pilot_then_shoot(pilot) -> None:
        await pilot.pause()
        # the lanes are fitted to their box after the first layout, and that lays the screen out again: let it
        # settle, or a busy machine's still can catch the in-between screen (a scrollbar, narrower lanes)
        await pilot.pause()
        await pilot.pause()
        box["shot"] = shoot(app)
        app.exit()

    app.run(headless=True, size=size, auto_pilot=pilot_then_shoot)
    if app.return_code:  # the app failed (and Textual printed why): a picture of a traceback is no screenshot
        raise RuntimeError("the headless dashboard failed (exit %s) before its screenshot was taken" % app.return_code)
    if "shot" not in box:
        raise RuntimeError("the headless dashboard ended before its screenshot was taken")
    return box["shot"]


def render_svg(trace: Trace, at: float, *, size: tuple[int, int] = (120, 36), theme: str = "dark", **kwargs) -> str:
    """The dashboard's screen ``at`` seconds into the trace, as SVG text."""
    return _headless(trace, at, size, theme, lambda app: app.export_screenshot(title="gilviz"), **kwargs)


def render_png(trace: Trace, at: float, *, size: tuple[int, int] = (120, 36), theme: str = "dark", **kwargs) -> bytes:
    """The dashboard's screen ``at`` seconds into the trace, as PNG bytes."""
    from gilviz.ui.png import screen_png

    return _headless(trace, at, size, theme, screen_png, **kwargs)


def render(
    trace: Trace, at: float, *, size: tuple[int, int] = (120, 36), theme: str = "dark", fmt: str = "svg", **kwargs
) -> str | bytes:
    """The screen as SVG text or PNG bytes (``fmt`` is one of ``FORMATS``); ``live``, ``footer`` as ``_headless``."""
    if fmt not in RENDERERS:
        raise ValueError("fmt is one of %s, not %r" % (", ".join(FORMATS), fmt))
    return RENDERERS[fmt](trace, at, size=size, theme=theme, **kwargs)


RENDERERS: dict[str, Callable[..., str | bytes]] = {"svg": render_svg, "png": render_png}  # one for each of FORMATS
