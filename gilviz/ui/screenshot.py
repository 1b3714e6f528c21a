"""SVG screenshots: of the live screen (the `s` key) and headless, of a trace at a moment (layer: UI).

A headless screenshot replays the trace up to the moment at once (``GilvizApp(at=...)``)
in a terminal of the given size that is never shown, so the same trace, moment, size
and theme give the same SVG, byte for byte.
"""

from __future__ import annotations

from gilviz.trace import Trace


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
