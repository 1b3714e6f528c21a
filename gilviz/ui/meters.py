"""Per-core CPU meters from /proc/stat: each core's last second and the seconds before it.

A reading comes once a second (the sampler's), so the meters repaint once a second
while the lanes repaint twice or more (``ui.pacing``): a frame without them is a smaller dirty area, and
the compositor draws fewer widgets. Drawn line by line (``render_line``), as the lanes
are: a ``Static`` would measure, wrap and style its whole text again for each reading.
``meter_lines`` (pure) says what the lines hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from gilviz.timeline import Snapshot
from gilviz.ui.drawing import sparkline

HISTORY = 30
GREEN = "#009E73"

Line = list[tuple[str, str]]  # (text, style: "" for the panel's own, else a rich style string)


def meter_lines(snapshot: Snapshot | None, compact: bool, width: int, cores: int = 0) -> list[Line]:
    """The meters' lines: a core a line with its history, then the total; or, compact, every
    core on one line (wrapped to ``width`` between cores). Before the first reading, as many
    lines as there will be (``cores``, when known), so the lanes above keep their height."""
    if snapshot is None or not snapshot.cpu:
        ended = snapshot is not None and bool(snapshot.window[0] and snapshot.window[1])  # and never read: too short
        said = "CPU: not read (the run ended before the first reading)" if ended else "CPU: waiting for the first reading…"
        waiting: list[Line] = [[(said, "dim")]]
        return waiting if compact else [[("core %-2d " % i, "")] for i in range(cores)] + waiting
    total = round(sum(snapshot.cpu) / len(snapshot.cpu))
    if compact:
        items: list[Line] = [[("CPU ", "")]]
        for i, (now, history) in enumerate(zip(snapshot.cpu, snapshot.cpu_history)):
            items.append([("%d " % i, ""), (sparkline(history, 6), GREEN), (" %3d%%  " % round(now), "")])
        items.append([("total %d%%" % total, "bold")])
        return _wrapped(items, width)
    lines: list[Line] = []
    for i, (now, history) in enumerate(zip(snapshot.cpu, snapshot.cpu_history)):
        lines.append([("core %-2d " % i, ""), (sparkline(history, HISTORY), GREEN), (" %3d%%" % round(now), "")])
    lines.append([("total   %3d%% of %d cores" % (total, len(snapshot.cpu)), "bold")])
    return lines


def _wrapped(items: Sequence[Line], width: int) -> list[Line]:
    lines: list[Line] = [[]]
    used = 0
    for item in items:
        length = sum(len(text) for text, _ in item)
        if used and used + length > width:
            lines.append([])
            used = 0
        lines[-1].extend(item)
        used += length
    return lines


class CpuMeters(Widget):
    DEFAULT_CSS = """
    CpuMeters { height: auto; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False)
    """The latest snapshot; its per-core percentages and history are drawn (repainted only when they changed)."""
    compact: reactive[bool] = reactive(False, repaint=False)
    """One line for all cores (small terminals)."""
    cores: reactive[int] = reactive(0, repaint=False)
    """The machine's cores, once known: the lines kept for them before the first reading."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[Line] = []
        self._styles: dict[str, Style] = {}
        self._base = Style()

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        self._show()

    def watch_compact(self, compact: bool) -> None:
        self._show()

    def watch_cores(self, cores: int) -> None:
        self._show()

    def on_resize(self) -> None:
        self._show()

    def _show(self) -> None:
        """Repaint only when a line changed; lay the screen out again only when their number did."""
        lines = meter_lines(self.snapshot, self.compact, self.content_size.width or 80, self.cores)
        if lines != self._lines:
            self.refresh(layout=len(lines) != len(self._lines))
            self._lines = lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(meter_lines(self.snapshot, self.compact, width, self.cores))

    def render_lines(self, crop):
        base = self.rich_style
        if base != self._base:
            self._base, self._styles = base, {}
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y >= len(self._lines):
            return Strip.blank(width, self._base)
        segments = [Segment(text, self._style(style)) for text, style in self._lines[y]]
        return Strip(segments).crop(0, width).extend_cell_length(width, self._base)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._base + Style.parse(name) if name else self._base
        return style
