"""The keys that change the view, not the run (``ViewKeys``, a mixin of the app).

Fold, the table view and back to a lane, zoom, presenter mode, scrolling and the theme.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Region

from gilviz.ui.host import Host
from gilviz.ui.lane_rows import row_index
from gilviz.ui.lanes import ZOOMS, LanesView
from gilviz.ui.state import LANES
from gilviz.ui.table_screen import TableScreen

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class ViewKeys(Host):
    def action_fold(self) -> None:
        lanes = self.query_one("#lanes", LanesView)
        if not any(row.lane is None for row in lanes.rows) and len(lanes.rows) <= 8:
            self.notify("nothing to fold: f folds a process's threads when it has many")
            return
        folded_now = any(row.lane is None and "threads" in row.label for row in lanes.rows)
        lanes.fold = not folded_now
        self.draw({LANES})

    def action_table_unlisted(self) -> None:
        self.action_table()

    def action_table(self) -> None:
        """The table view: every thread on a line, sorted and filtered; Enter comes back to its lane."""
        if not isinstance(self.screen, TableScreen):
            self.push_screen(TableScreen(self.state.snapshot, self.sub_title or ""), self.jump_to_lane)

    def jump_to_lane(self, key: object) -> None:
        """Back from the table: scroll the lanes to the chosen thread's lane and highlight it (unfolded)."""
        lanes = self.query_one("#lanes", LanesView)
        lanes.snapshot = self.state.snapshot  # the lanes were left alone while the table was on screen
        self.draw({LANES})
        lanes.highlight = key if isinstance(key, tuple) and len(key) == 3 else None
        if isinstance(key, tuple) and len(key) == 2:  # an "ended threads" row: the process's row for them
            index = next((i for i, row in enumerate(lanes.rows) if row.pid == key[0] and " ended thread" in row.label), None)
        else:
            index = row_index(lanes.rows, key)
        if index is not None:
            self.call_after_refresh(self.scroll_to_row, lanes, index)

    def scroll_to_row(self, lanes: LanesView, index: int) -> None:
        box = self.query_one("#lanes-box", VerticalScroll)
        y = lanes.virtual_region.y + 1 + index * lanes.row_height
        box.scroll_to_region(Region(0, y, 1, lanes.row_height), animate=False, center=True, immediate=True)

    def action_zoom(self, delta: int) -> None:
        if self.cursor_applies():  # a still picture: around the cursor, the whole run at most
            self.cursor_zoom(delta)
            return
        lanes = self.query_one("#lanes", LanesView)
        if lanes.fitted and lanes.snapshot is not None and lanes.snapshot.window[1]:  # leave the fit at the nearest zoom
            lanes.zoom = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - lanes.bins_per_column))
        finished = lanes.snapshot is not None and lanes.snapshot.window[1]
        if not lanes.fitted and finished and delta > 0 and lanes.zoom == len(ZOOMS) - 1:
            lanes.fitted = True  # zoomed out past the widest: the whole run again
        else:
            lanes.fitted = False
            lanes.zoom = max(0, min(len(ZOOMS) - 1, lanes.zoom + delta))
        self.draw({LANES})

    def action_present(self) -> None:
        self.present = not self.present
        self.set_class(self.present, "-present")
        self.draw_static()

    def action_scroll_lanes(self, rows: int) -> None:
        self.query_one("#lanes-box", VerticalScroll).scroll_relative(y=rows, animate=False)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.current_theme.dark else THEMES["dark"]
        self.draw_static()
