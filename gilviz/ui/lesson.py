"""The lesson panel's code, with the values it ran with (pure text).

The code is the textbook's, with names like ``N`` and ``S``; a first line says what they
were in this run, so the audience can check the figures against the code.
"""

from __future__ import annotations

import re

from gilviz.lab.scenarios import SIZES
from gilviz.model import RunConfig


def values_line(cfg: RunConfig) -> str:
    """ "# here: workers = 2 · N = 80,000,000 · S = 1 s": the names the code uses, as they ran (""  if none)."""
    code, size = cfg.info.code, SIZES[cfg.size]
    names = set(re.findall(r"\b(N|S|workers|tasks)\b", code))
    n = getattr(size, cfg.info.n_is)  # oversubscribed's code divides two workers' N among all of them itself
    parts = []
    if "workers" in names:
        parts.append("workers = %d" % cfg.worker_count)
    if "tasks" in names:
        parts.append("tasks = %d" % cfg.worker_count)
    if "N" in names:
        parts.append("N = %s" % f"{n:,}".replace(",", "_"))
    if "S" in names:
        parts.append("S = %g  # seconds" % size.sleep_s)
    return ("# as it runs here: " + ", ".join(parts)) if parts else ""


def code_text(cfg: RunConfig) -> str:
    """The code the scenario runs, after the line of its values."""
    line = values_line(cfg)
    return (line + "\n\n" if line else "") + cfg.info.code
