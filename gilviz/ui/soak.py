"""The soak benchmark: the dashboard, headless, switching scenarios for minutes.

``gilviz bench --soak MINUTES`` drives the real app (its real runs, labs and sampler) in a
terminal that is never shown, pressing a scenario key every few seconds, and reports
the UI process's memory (RSS) and CPU at the start and the end, the number of switches,
and how many processes outlived the app. Ring buffers keep the timeline bounded, so
memory should stay flat however long it runs.
"""

from __future__ import annotations

import time

import psutil

from gilviz.model import RunConfig

KEYS_CYCLE = "23456789l1e"  # every scenario, and the lock and executor flips on the way


def soak(minutes: float, *, switch_every_s: float = 3.0, size: str = "demo", progress=lambda line: None) -> dict:
    from gilviz.ui.app import scenario_app

    me = psutil.Process()
    app = scenario_app(RunConfig("seq-io", size=size))
    figures: dict = {"minutes": minutes, "switch_every_s": switch_every_s, "size": size, "samples": []}

    async def drive(pilot) -> None:
        await pilot.pause(switch_every_s)
        start_cpu, start = me.cpu_times(), time.monotonic()
        figures["rss_start_mb"] = me.memory_info().rss / 2**20
        switches = 0
        while time.monotonic() - start < minutes * 60:
            await pilot.press(KEYS_CYCLE[switches % len(KEYS_CYCLE)])
            switches += 1
            await pilot.pause(switch_every_s)
            if switches % 20 == 0:
                rss = me.memory_info().rss / 2**20
                figures["samples"].append((round(time.monotonic() - start), round(rss, 1)))
                progress("  %4.0f s: %d switches, RSS %.1f MB" % (time.monotonic() - start, switches, rss))
        end_cpu, wall = me.cpu_times(), time.monotonic() - start
        figures["rss_end_mb"] = me.memory_info().rss / 2**20
        figures["switches"] = switches
        figures["wall_s"] = wall
        used = (end_cpu.user - start_cpu.user) + (end_cpu.system - start_cpu.system)
        figures["ui_cpu_share"] = used / wall  # of one core, the UI process's threads together (sampler included)
        figures["children_before_quit"] = [p.pid for p in me.children(recursive=True)]
        await pilot.press("q")

    app.run(headless=True, size=(120, 36), auto_pilot=drive)
    deadline = time.monotonic() + 5
    left = figures.get("children_before_quit", [])
    while time.monotonic() < deadline:
        left = [pid for pid in left if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        if not left:
            break
        time.sleep(0.1)
    figures["strays_after_quit"] = len(left)
    return figures


def format_soak(f: dict) -> str:
    lines = [
        "gilviz soak: the dashboard, headless, %d switches over %.1f min (one every %g s, %s size)"
        % (f["switches"], f["wall_s"] / 60, f["switch_every_s"], f["size"]),
        "  UI process memory (RSS): %.1f MB at the start, %.1f MB at the end (%+.1f MB)"
        % (f["rss_start_mb"], f["rss_end_mb"], f["rss_end_mb"] - f["rss_start_mb"]),
        "  UI process CPU (sampler included): %.1f %% of one core" % (100 * f["ui_cpu_share"]),
        "  processes left 5 s after q: %d" % f["strays_after_quit"],
    ]
    if f["samples"]:
        lines.append("  RSS over time: " + ", ".join("%d s %.1f MB" % s for s in f["samples"]))
    return "\n".join(lines)
