"""Toasts that keep off the lanes: one line each, title and text together (UI layer).

Textual draws a toast as a box of its own, its title on a line above its text, with a
line of padding round both: at 80×24 a "screenshot saved" toast and one more covered
the lanes' last lines. The app's stylesheet makes a toast one line, as wide as its text,
sitting on the footer; this mixin puts the title before the text ("screenshot saved:
/path"), so that line says it all; and a toast already on screen is not stacked again.
"""

from __future__ import annotations

from typing import Any


class OneLineToasts:
    """Mixed into the app before ``App``: ``notify`` with a title makes one line, "title: text"."""

    def notify(self, message: Any, *, title: str = "", **kwargs: Any) -> None:
        if title:  # the app's own words (a notice's outside text is its message, never its title)
            message = "%s: %s" % (title, message)
        if any(shown.message == message for shown in self._notifications):  # type: ignore[attr-defined]
            return  # said already and still on screen (+ pressed at the finest zoom, again and again)
        super().notify(message, **kwargs)  # type: ignore[misc]
