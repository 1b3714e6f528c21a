"""The dashboard's keys, in one table (``BINDINGS``), and which apply when (``DashboardKeys``, the screen's base).

The keys belong to the ``DashboardScreen`` (Textual looks a key up on the focused widgets,
then the screen, then the app): the table screen and the help have their own, and the app
keeps only what applies everywhere (``APP_BINDINGS``: q, ctrl+c; the palette, ``KeyPalette``).
The footer shows the keys that apply here (``check_action``), the others do nothing; the help
screen (``?``) and the command palette list them from the same table. The actions are the
app's (``run_keys``, ``view_keys``, ``cursor_view``, ``pictures``): the screen's forward to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from gilviz.lab.scenarios import SCENARIOS
from gilviz.ui.help import HelpScreen
from gilviz.ui.host import Host
from gilviz.ui.lanes import LanesView

if TYPE_CHECKING:
    from gilviz.ui.app import GilvizApp

BINDINGS: list[BindingType] = [
    *[Binding(str(i + 1), "scenario(%d)" % i, SCENARIOS[i].title, show=False) for i in range(min(9, len(SCENARIOS)))],
    Binding("n", "step(1)", "next", show=False, tooltip="the next scenario"),
    Binding("p", "step(-1)", "prev", show=False, tooltip="the previous scenario"),
    Binding("r", "rerun", "re-run", tooltip="run the scenario again (in a replay: replay from the start)"),
    Binding("R", "repeat", "5 runs", show=False, tooltip="run it 5 times, each after a baseline run: the median and range"),
    Binding("space", "pause", "pause", tooltip="freeze the picture; a live run goes on, a replay waits"),
    Binding("space", "resume", "resume", tooltip="go on from the frozen picture"),
    Binding("l", "lock", "lock", tooltip="race: turn the threading.Lock on or off, and re-run"),
    Binding("e", "executor", "executor", tooltip="pools: ThreadPoolExecutor or ProcessPoolExecutor, and re-run"),
    Binding("w", "workers(-1)", "fewer", show=False, tooltip="one worker fewer, and re-run"),
    Binding("W", "workers(1)", "workers+", show=False, tooltip="one worker more, and re-run"),
    Binding("f", "fold", "fold", tooltip="fold each process's threads into one row, or unfold them"),
    Binding("T", "table", "table", tooltip="every thread in a table: sort (< >, I), filter (/), Enter: its lane"),
    Binding("T", "table_unlisted", "table", show=False),  # a narrow scenario's footer has no room: the key still works
    Binding("P", "present", "present", show=False, tooltip="presenter mode: header, lanes, meters and the one figure"),
    Binding("m", "slow_motion", "slow-mo", tooltip="a 50 ms switch interval (Python's: 5 ms): the turns become visible"),
    Binding("c", "compare", "pin", tooltip="pin this run: the next is drawn under it on one time scale (c again: unpin)"),
    Binding("c", "unpin", "unpin", tooltip="unpin the compared run: the lanes show the run alone again"),
    Binding("plus,equals_sign", "zoom(-1)", "zoom in", show=False, tooltip="fewer milliseconds per column"),
    Binding("minus", "zoom(1)", "zoom out", show=False, tooltip="more milliseconds per column (still: to the whole run)"),
    Binding("left", "cursor(-1)", "time", key_display="←→", tooltip="paused or ended: the time cursor a column back (→: on)"),
    Binding("right", "cursor(1)", "later", show=False),
    Binding("shift+left", "cursor(-10)", "back 10", show=False, tooltip="the time cursor 10 columns back (shift+→: on)"),
    Binding("shift+right", "cursor(10)", "on 10", show=False),
    Binding("home", "cursor_edge(0)", "start", show=False, tooltip="the time cursor to the run's start (End: to its end)"),
    Binding("end", "cursor_edge(1)", "end", show=False),
    Binding("escape", "cursor_off", "no cursor", show=False, tooltip="take the time cursor away"),
    Binding("t", "toggle_theme", "theme", show=False, tooltip="light or dark (light reads better on a projector)"),
    Binding("down", "scroll_lanes(1)", "scroll", show=False, tooltip="scroll the lanes (also up, PgUp, PgDn)"),
    Binding("up", "scroll_lanes(-1)", "scroll up", show=False),
    Binding("pagedown", "scroll_lanes(10)", "page down", show=False),
    Binding("pageup", "scroll_lanes(-10)", "page up", show=False),
    Binding("s", "save_screenshot", "save", tooltip="save an SVG or PNG of the screen (pause first to keep a moment)"),
    Binding("question_mark", "help", "help", tooltip="the keys that apply here, what each does, and how to read the lanes"),
]
APP_BINDINGS: list[BindingType] = [  # the app's: they apply on every screen
    Binding("q", "quit", "quit", tooltip="quit; a watched program is stopped (a --pid is let go); nothing is left behind"),
    Binding("ctrl+c", "quit", "quit", show=False, priority=True),
]
LAB_ONLY = {
    "scenario",
    "step",
    "lock",
    "executor",
    "workers",
    "repeat",
}  # where the source can switch


def _forward(name: str) -> Callable[..., object]:
    def action(self: Screen, *args: object) -> object:
        return getattr(self.app, "action_" + name)(*args)

    action.__name__ = "action_" + name
    return action


class DashboardKeys(Screen):
    """The dashboard screen's keys: its ``BINDINGS``, which apply here (``check_action``), ``?``'s help."""

    BINDINGS = BINDINGS
    LAB_ONLY = LAB_ONLY
    LISTED_FROM: int  # columns: narrower, a scenario's footer has no room for T (the screen's NARROW_BELOW)

    @property
    def dash(self) -> GilvizApp:
        return cast("GilvizApp", self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which keys apply here: the footer shows only those, and the others do nothing."""
        dash = self.dash
        live = dash.source.can_switch
        if action in self.LAB_ONLY and not live:
            return False
        cfg = dash.state.scenario
        if action == "lock":
            return cfg is not None and cfg.info.variant_option == "lock"
        if action == "executor":
            return cfg is not None and cfg.info.variant_option == "executor"
        if action == "rerun":
            return dash.source.can_rerun
        if action in ("compare", "unpin"):  # one c key: the footer says "unpin" while a run is pinned
            return live and (dash.state.pinned is not None) == (action == "unpin")
        if action == "slow_motion":
            return live and cfg is not None and cfg.info.threads_side_by_side
        if action == "fold":  # once folded, f stays to unfold
            lanes = self.query_one("#lanes", LanesView)
            return dash.state.watching or len(lanes.rows) > 8 or bool(lanes.fold)
        if action in ("table", "table_unlisted"):
            applies = dash.state.watching or len(self.query_one("#lanes", LanesView).rows) > 8
            listed = dash.state.watching or self.app.size.width >= self.LISTED_FROM
            return applies and listed == (action == "table")
        if action in ("cursor", "cursor_edge"):
            return dash.cursor_applies()
        if action == "cursor_off":
            return dash.cursor_lanes().cursor is not None
        if action in ("pause", "resume"):  # one space key: the footer says "resume" while paused
            return dash.state.paused == (action == "resume")
        return True

    def action_help(self) -> None:
        if not isinstance(self.app.screen, HelpScreen):
            self.app.push_screen(HelpScreen([*self.BINDINGS, *APP_BINDINGS], self.check_action))


for _name in sorted({cast(Binding, b).action.partition("(")[0] for b in BINDINGS} - {"help"}):
    setattr(DashboardKeys, "action_" + _name, _forward(_name))  # the screen's key, the app's action


class KeyPalette(Host):
    """The command palette (an app's, for every screen): the dashboard's keys that apply, by name, and the scenarios."""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        ours = {"Theme", "Quit", "Screenshot", "Keys"}  # gilviz's own below: its light/dark, its format, one quit, its ? help
        yield from (command for command in super().get_system_commands(screen) if command.title not in ours)
        if self.source.can_switch:
            for i, s in enumerate(SCENARIOS):
                yield SystemCommand("Scenario %d: %s" % (i + 1, s.title), s.summary, lambda i=i: self.action_scenario(i))
        seen = set()
        keys = self.dashboard
        pairs: list[tuple[App | Screen, BindingType]] = [*((keys, b) for b in keys.BINDINGS), *((self, b) for b in APP_BINDINGS)]
        for target, binding in pairs:
            assert isinstance(binding, Binding)
            name, _, args = binding.action.partition("(")
            if not binding.tooltip or binding.action in seen or name == "scenario" or not target.check_action(name, ()):
                continue
            seen.add(binding.action)
            title = "Screenshot" if name == "save_screenshot" else binding.description.capitalize()
            yield SystemCommand(title, binding.tooltip, self._command(target, binding.action))

    @staticmethod
    def _command(target: App | Screen, action: str):
        return lambda: target.run_action(action)
