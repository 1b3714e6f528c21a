"""The footer's keys are laid out again only when the keys that apply change.

Textual's footer makes a widget per key anew at every ``refresh_bindings``. The app asks
for it whenever the header changes, and the header changes with nearly every snapshot
(the GIL's hand-offs a second): watching 260 lanes, laying the footer out twice a second
was a quarter of the UI thread's CPU. So the dashboard's screen asks first whether any of its
keys' verdicts (``check_action``: shown, hidden or greyed) moved since the footer was last laid out.
"""

from __future__ import annotations


def keys_changed(screen) -> bool:
    """Whether any of the screen's keys applies differently than at the last call that said so."""
    verdicts = tuple(screen.check_action(binding.action.split("(", 1)[0], ()) for binding in screen.BINDINGS)
    if verdicts == getattr(screen, "_gilviz_key_verdicts", None):
        return False
    screen._gilviz_key_verdicts = verdicts
    return True
