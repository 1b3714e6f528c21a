"""What the app's parts (its feed, key and picture mixins) may ask of the app: for the type checker only.

``GilvizApp`` (``ui/app.py``) is made of mixins, one idea each: ``run_feed`` (run tokens and
snapshot coalescing), ``keys`` (the key table and which keys apply), ``run_keys`` (the keys
that start a run), ``view_keys`` (the keys that change the view), ``pictures`` (saving the
screen). Each subclasses ``Host``, which at run time is ``object`` and for mypy is the app
as they see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from gilviz.sources.base import Source
    from gilviz.sources.events import Event
    from gilviz.ui.cursor_view import CursorLanes
    from gilviz.ui.dashboard_screen import DashboardScreen
    from gilviz.ui.lanes import LanesView
    from gilviz.ui.pacing import FramePacer
    from gilviz.ui.run_feed import SourceEvent
    from gilviz.ui.state import DashboardState

    class Host(App):
        source: Source
        state: DashboardState
        dashboard: DashboardScreen
        pacer: FramePacer
        token: int
        present: bool
        still: bool
        screenshot_dir: str
        screenshot_format: str
        _picturing: bool
        _pending: SourceEvent | None
        _pending_timer: Timer | None

        def start_run(self) -> None: ...
        def apply(self, event: Event) -> None: ...
        def draw(self, changed: set[str]) -> None: ...
        def draw_static(self) -> None: ...
        def switch(self, **changes) -> None: ...
        def action_scenario(self, index: int) -> None: ...
        def action_pause(self) -> None: ...
        def action_table(self) -> None: ...
        def jump_to_lane(self, key: object) -> None: ...
        def scroll_to_row(self, lanes: LanesView, index: int) -> None: ...
        def cursor_lanes(self) -> CursorLanes: ...
        def cursor_reset(self) -> None: ...
        def cursor_applies(self) -> bool: ...
        def cursor_zoom(self, delta: int) -> None: ...

else:
    Host = object
