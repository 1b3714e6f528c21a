"""Pictures of the screen (``Pictures``, a mixin of the app): ``s`` saves an SVG or a PNG, drawn as a still.

While ``s`` draws the screen for its picture the app's ``keys_hinted`` is false: no footer,
no toasts, no aside that names a key; the live screen comes back once it is saved. An
SVG's lane cells are each a text of their own, so the picture reads as the screen did.
"""

from __future__ import annotations

import os
import time

from gilviz.files import write_atomically
from gilviz.outside import visible
from gilviz.ui.host import Host
from gilviz.ui.lanes import LanesView
from gilviz.ui.state import LANES, PANEL


class Pictures(Host):
    def screenshot_name(self) -> str:
        cfg = self.state.scenario
        if cfg is None:
            what = "watch"
        else:
            variant = "-" + cfg.variant.replace(" ", "-") if cfg.variant else ""
            what = cfg.scenario + variant
        return "gilviz-%s-%s.%s" % (what, time.strftime("%Y%m%d-%H%M%S"), self.screenshot_format)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """An SVG of the screen in which every lane cell is a text of its own (see ``LanesView.render_line``)."""
        views = list(self.query(LanesView))
        for view in views:
            view.cells_apart = True
            view.refresh()  # its lines are drawn again for the picture, cell by cell ...
        try:
            return super().export_screenshot(title=title, simplify=simplify)
        finally:
            for view in views:
                view.cells_apart = False
                view.refresh()  # ... and joined again on screen

    def action_save_screenshot(self) -> None:
        """Draw the screen as a still (no footer, no key hints, no toasts), then save it, then draw it live again."""
        self._picturing = True
        self.clear_notifications()
        self.add_class("-still")
        self.draw({LANES, PANEL})
        self.query_one("#lanes", LanesView).refresh()
        self.call_after_refresh(self.save_screenshot_now)

    def save_screenshot_now(self) -> None:
        """Save the screen as SVG or PNG, named after the scenario and the time, and say where."""
        try:
            self._save_screenshot()
        finally:
            self._picturing = False
            self.set_class(self.still, "-still")
            self.draw({LANES, PANEL})
            self.query_one("#lanes", LanesView).refresh()

    def _save_screenshot(self) -> None:
        path = os.path.join(self.screenshot_dir, self.screenshot_name())
        cfg = self.state.scenario
        try:
            if self.screenshot_format == "png":
                from gilviz.ui.png import screen_png

                data: str | bytes = screen_png(self)
            else:
                what = cfg.info.title if cfg is not None else getattr(self.state.config, "title", "")
                data = self.export_screenshot(title=visible("gilviz · " + what))
            write_atomically(path, data)
        except OSError as exc:
            message = visible("%s: %s" % (path, exc.strerror or exc))
            self.notify(message, title="screenshot not saved", severity="error", timeout=8, markup=False)
            return
        self.notify(visible(os.path.abspath(path)), title="screenshot saved", timeout=6, markup=False)
