"""The header line: state, what runs, on which interpreter, shortened by priority (pure text).

Each part has a priority. When the line is too long for the terminal, whole parts are
dropped, least important first, and a few have a shorter form tried before that; a
part is never cut mid-word.
"""

from __future__ import annotations

from rich.text import Text

from gilviz.lab.scenarios import KEYS
from gilviz.model import RunConfig, WatchConfig
from gilviz.report import interpreter_line
from gilviz.ui.gil_header import alarm_text, handoffs_text
from gilviz.ui.state import DashboardState

# What to give up, in order, until the line fits: a short form ("GIL on"), or a whole part.
MOVES = (
    ("short", "gil"),
    ("short", "motion"),
    ("short", "variant"),
    ("drop", "cores"),
    ("drop", "gil"),
    ("drop", "workers"),
    ("short", "flag"),
    ("drop", "impl"),
    ("short", "title"),
    ("short", "status"),
    ("short", "progress"),
    ("drop", "variant"),
    ("drop", "title"),
    ("short", "handoffs"),
    ("short", "alarm"),
    ("drop", "brand"),  # the name goes last: a screenshot says what made it
)


class Part:
    def __init__(self, key: str, long: str, short: str | None = None, style: str = "") -> None:
        self.key, self.long, self.short, self.style = key, long, short, style
        self.shortened = self.dropped = False

    @property
    def text(self) -> str:
        return self.short if self.shortened and self.short else self.long


def _parts(state: DashboardState) -> list[Part]:
    status = "paused" if state.paused else state.status
    if state.replaying and not status.startswith("replay"):
        status = "replay · " + status  # a replayed run's state, as it was live
    short_status = "baseline first" if status.endswith("sequential baseline first") else None
    parts = [
        Part("brand", "gilviz", style="bold"),
        Part("status", " %s " % status, short_status and " %s " % short_status, "reverse"),
    ]
    if state.note:
        parts.append(Part("note", state.note, None, "bold"))
    if state.progress:  # "run 3 of 5 · so far 0.95–1.01×", or just "run 3 of 5" where room is short
        parts.append(Part("progress", state.progress, state.progress.split(" · ")[0], "bold"))
    cfg = state.config
    if isinstance(cfg, WatchConfig):
        what = cfg.title
        parts.append(Part("title", "watching " + what, ("watching " + what[:30] + "…") if len(what) > 31 else None, "bold"))
    else:
        assert isinstance(cfg, RunConfig)
        n = cfg.worker_count
        title = "%d/%d %s" % (KEYS.index(cfg.scenario) + 1, len(KEYS), cfg.info.title)
        parts.append(Part("title", title, title.split(" · ")[0]))
        unit = cfg.info.workers_are.split()[-1] if cfg.info.tasks else "worker" if n == 1 else "workers"
        parts.append(Part("workers", "%d %s" % (n, unit)))
        variant = cfg.info.variant_label(cfg)
        if variant:
            parts.append(Part("variant", variant[0], variant[1], "bold"))
        if cfg.switch_interval_ms:
            ms = cfg.switch_interval_ms
            default = (state.python or {}).get("switch_interval_s", 0.005) * 1000
            slower = " (%g× Python's %g ms)" % (ms / default, default) if default and ms != default else ""
            parts.append(Part("motion", "switch interval %g ms%s" % (ms, slower), "switch %g ms" % ms, "bold"))
    if state.python:
        line = interpreter_line(state.python, state.cores)  # "CPython 3.11.7 · GIL enabled · 2 cores"
        impl, gil, cores = (line.split(" · ") + ["", ""])[:3]
        parts.append(Part("impl", impl))
        parts.append(Part("gil", gil, gil.replace("GIL enabled", "GIL on").replace("GIL disabled", "GIL off")))
        parts.append(Part("cores", cores))
    elif state.watching and state.snapshot is not None:
        parts.append(Part("impl", "not CPython"))
    if state.snapshot is not None and state.snapshot.coarse:
        parts.append(Part("flag", "coarse (no /proc)", "coarse", "bold"))
    elif state.snapshot is not None and state.snapshot.denied:
        parts.append(Part("flag", "no syscall access: waits as declared", "no syscall access", "bold"))
    handoffs, alarm = handoffs_text(state.snapshot), alarm_text(state.snapshot)
    if handoffs:
        parts.append(Part("handoffs", *handoffs))
    if alarm:
        parts.append(Part("alarm", *alarm, style="bold reverse"))
    return parts


def _length(parts: list[Part]) -> int:
    kept = [p for p in parts if not p.dropped]
    return sum(len(p.text) for p in kept) + 3 * (len(kept) - 1) + 2


def header_text(state: DashboardState, width: int) -> Text:
    """The header for a terminal ``width`` columns wide."""
    parts = _parts(state)
    by_key = {p.key: p for p in parts}
    for move, key in MOVES:
        if _length(parts) <= width:
            break
        part = by_key.get(key)
        if part is None:
            continue
        if move == "short":
            part.shortened = True
        else:
            part.dropped = True
    text = Text(" ")
    previous: str | None = None  # the style of the part before, None at the start
    for part in parts:
        if part.dropped:
            continue
        if previous is not None:
            text.append(" " if "reverse" in (part.style, previous) else " · ")
        text.append(part.text, style=part.style)
        previous = part.style
    return text
