"""Per-core CPU meters from psutil: current value and a short history (layer: UI)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from gilviz.timeline import Snapshot
from gilviz.ui.drawing import sparkline

HISTORY = 30


class CpuMeters(Static):
    DEFAULT_CSS = """
    CpuMeters { height: auto; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False)
    """The latest snapshot; its per-core percentages and history are drawn (repainted only when they changed)."""
    compact: reactive[bool] = reactive(False)
    """One line for all cores (small terminals)."""

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        self._show(self.render_meters(snapshot, self.compact))

    def watch_compact(self, compact: bool) -> None:
        self._show(self.render_meters(self.snapshot, compact))

    def _show(self, text: Text) -> None:
        """Update only when the text changed: the readings come 5 times a second, as do snapshots.

        The screen is laid out again only when the number of lines changes (a new reading
        keeps it): a layout of the whole screen costs more than everything else a reading does.
        """
        shown = getattr(self, "_shown", None)
        if text != shown:
            self._shown = text
            self.update(text, layout=shown is None or text.plain.count("\n") != shown.plain.count("\n"))

    @staticmethod
    def render_meters(snapshot: Snapshot | None, compact: bool = False) -> Text:
        text = Text()
        if snapshot is None or not snapshot.cpu:
            return Text("CPU: waiting for the first reading…", style="dim")
        if compact:
            text.append("CPU ")
            for i, (now, history) in enumerate(zip(snapshot.cpu, snapshot.cpu_history)):
                text.append("%d " % i)
                text.append(sparkline(history, 6), style="#009E73")
                text.append(" %3d%%  " % round(now))
            text.append("total %d%%" % round(sum(snapshot.cpu) / len(snapshot.cpu)), style="bold")
            return text
        for i, (now, history) in enumerate(zip(snapshot.cpu, snapshot.cpu_history)):
            text.append("core %-2d " % i)
            text.append(sparkline(history, HISTORY), style="#009E73")
            text.append(" %3d%%\n" % round(now))
        total = sum(snapshot.cpu) / len(snapshot.cpu)
        text.append("total   %3d%% of %d cores" % (round(total), len(snapshot.cpu)), style="bold")
        return text
