"""How figures read in words: durations, sizes, rates, ratios (standard library only).

Shared by the text report (``gilviz.report``) and the lessons' own report lines; a
lesson's figure (a ``figures.Figure`` as JSON) in words.
"""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A duration readably: 24 µs, 3.4 ms, 121 ms, 1.20 s."""
    if seconds < 1e-3:
        return "%.0f µs" % (seconds * 1e6)
    if seconds < 0.01:
        return "%.1f ms" % (seconds * 1e3)
    if seconds < 1:
        return "%.0f ms" % (seconds * 1e3)
    return "%.2f s" % seconds


def size_kb(kb: int | None) -> str:
    if kb is None:
        return "memory not measured (no /proc)"
    return "%+.1f MB" % (kb / 1024) if abs(kb) >= 1024 else "%+d KB" % kb


def rate(per_s: float) -> str:
    """Updates per second as "1.2 M", "40 k", "950"."""
    if per_s >= 1e6:
        return "%.1f M" % (per_s / 1e6)
    if per_s >= 1e3:
        return "%.0f k" % (per_s / 1e3)
    return "%.0f" % per_s


def times(ratio: float) -> str:
    return "%.0f×" % ratio if ratio >= 10 else "%.1f×" % ratio


def figure_text(figure: dict) -> str:
    """ "1.02 waits (theory 1)", "10.5 ms (theory 10 ms)"; "" when nothing was measured."""
    value = figure["measured"]
    if value is None:
        return ""
    unit = figure["unit"]
    if unit == "share":
        text = "%d %%" % round(value * 100)
        theory = None if figure["theory"] is None else "%d %%" % round(figure["theory"] * 100)
    elif unit == "ms":
        text, theory = duration(value / 1000), None if figure["theory"] is None else duration(figure["theory"] / 1000)
    elif unit == "×":
        text, theory = "%.2f×" % value, None if figure["theory"] is None else "%g×" % figure["theory"]
    else:
        text = ("%.2f" % value if isinstance(value, float) else "%d" % value) + (" " + unit if unit else "")
        theory = None if figure["theory"] is None else "%g" % figure["theory"]
    return "%s %s (%s)" % (figure["name"], text, "theory " + theory if theory is not None else figure["says"])


def figure_value(value: float, unit: str) -> str:
    if unit == "share":
        return "%d %%" % round(value * 100)
    if unit == "ms":
        return duration(value / 1000)
    if unit == "×":
        return "%.2f×" % value
    return "%.2f" % value if value != int(value) else "%d" % value
