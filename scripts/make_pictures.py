"""Make the README's pictures from the traces kept in assets/traces.

    python scripts/make_pictures.py [DIRECTORY]     (default: assets)

Each picture is gilviz's own dashboard, drawn headless from a recorded run at a chosen
moment (``gilviz screenshot TRACE --at SECONDS``), so the same traces always give the
same SVGs; ``tests/integration/test_pictures.py`` checks that the committed ones still match what
the dashboard draws today.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gilviz.files import write_atomically  # noqa: E402
from gilviz.trace import Trace, read_trace  # noqa: E402
from gilviz.ui.screenshot import render_svg  # noqa: E402

mid_run = Trace.mid_run_s  # 60 % of the way through the run asked for


def after_the_end(trace: Trace) -> float:
    return trace.after_end_s


# picture name -> (trace, when, theme, options): pin "first" draws the trace's first run above its last
PICTURES = {
    "threads-io": ("threads-io", mid_run, "dark", {}),
    "threads-cpu": ("threads-cpu", after_the_end, "dark", {}),
    "threads-cpu-slow": ("threads-cpu-slow", after_the_end, "dark", {}),
    "procs-cpu": ("procs-cpu", mid_run, "dark", {}),
    "compare-threads-procs": ("threads-then-procs", after_the_end, "light", {"pin": "first"}),
    "race-lock-off": ("race-lock-off", after_the_end, "dark", {}),
    "race-lock-on": ("race-off-then-on", after_the_end, "light", {}),
    "present-race": ("race-off-then-on", after_the_end, "dark", {"pin": "first", "present": True}),
    "queue": ("queue", mid_run, "dark", {}),
    "c-threads": ("c-threads", after_the_end, "dark", {}),
    "convoy": ("convoy", after_the_end, "dark", {}),
    "oversubscribed": ("oversubscribed", mid_run, "dark", {}),
    "watch-busy-server": ("watch-busy-server", mid_run, "dark", {}),
}


def main(directory: str) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, (source, when, theme, options) in PICTURES.items():
        trace = read_trace(str(ROOT / "assets" / "traces" / (source + ".jsonl.gz")))
        options = dict(options)
        if options.get("pin") == "first":  # the first run asked for (not a baseline measured before it)
            options["pin"] = next(r.config for r in trace.runs if not r.start.get("as_baseline"))
        write_atomically(str(out / (name + ".svg")), render_svg(trace, when(trace), theme=theme, **options))
        print("wrote", out / (name + ".svg"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "assets")))
