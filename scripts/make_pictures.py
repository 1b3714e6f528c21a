"""Make the README's pictures from the traces kept in assets/traces.

    python scripts/make_pictures.py [DIRECTORY]     (default: assets)

Each picture is gilviz's own dashboard, drawn headless from a recorded run at a chosen
moment (``gilviz screenshot TRACE --at SECONDS``), so the same traces always give the
same SVGs; ``tests/test_pictures.py`` checks that the committed ones still match what
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


# picture name -> (trace, when, theme)
PICTURES = {
    "threads-io": ("threads-io", mid_run, "dark"),
    "threads-cpu": ("threads-cpu", mid_run, "dark"),
    "procs-cpu": ("procs-cpu", mid_run, "dark"),
    "race-lock-off": ("race-lock-off", after_the_end, "dark"),
    "race-lock-on": ("race-off-then-on", after_the_end, "light"),
    "queue": ("queue", mid_run, "dark"),
}


def main(directory: str) -> int:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, (source, when, theme) in PICTURES.items():
        trace = read_trace(str(ROOT / "assets" / "traces" / (source + ".jsonl.gz")))
        write_atomically(str(out / (name + ".svg")), render_svg(trace, when(trace), theme=theme))
        print("wrote", out / (name + ".svg"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "assets")))
