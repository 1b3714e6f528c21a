"""Why a run's speed-up departs from theory, said from what the run measured (pure).

``explain(report)`` returns one line, or None when the speed-up is within the run's
own noise of the theory. The noise is measured too: the sequential baseline does the
same work once per worker and times each part (``parts_s``), and how far those
identical parts differ, (max − min) / mean, is how much the same work varied on this
machine at that time. It is never taken below NOISE_FLOOR: two or three parts are a
small sample, and repeated runs of one scenario against one baseline varied by about
±5 % here when the machine was quiet.

The reasons are the workers' measured shares of the run (waiting for the GIL, a core,
the lock, the queue, blocked in I/O, not started yet, finishing apart), their
GIL hand-offs per second (its own count where it is read from memory; else the
voluntary context switches per second, labelled so), the CPU time they needed against the
sequential run's for the same work (a free-threaded build's threads can need more,
contending for shared objects), the baseline's own waits, and the rest of the
machine's load. A wait the theory itself expects (CPU threads with a GIL wait
(workers − 1)/workers for it; more processes than cores wait 1 − cores/workers for a
core) is named only where the measured share exceeds it by SHARE_MIN, and then with
the expected share beside it. Only what reaches SHARE_MIN (or SWITCHES_MIN) is named;
when nothing does, the line says so rather than guess.
"""

from __future__ import annotations

import statistics

from gilviz.model import RunReport

NOISE_FLOOR = 0.10
SHARE_MIN = 0.05
SWITCHES_MIN = 20.0  # voluntary switches per second per worker
MORE_CPU_MIN = 0.10  # more CPU time than the baseline for the same work (the kernel's accounting varies by a few %)
MAX_WAITS = 3

WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
WAITS = (("gil_wait", "for the GIL"), ("core_wait", "for a core"), ("lock_wait", "for the lock"), ("queue_wait", "on the queue"))


def pct(share: float) -> str:
    return "%d %%" % round(share * 100)


def other_load(report: RunReport) -> float | None:
    """The share of the cores busy with something other than the run, or None when not measured.

    From ``report.machine`` (other programs' CPU and steal, ``gilviz.probe.machine``) when
    it was measured; for older recordings, the cores' busy share minus the lanes' running.
    """
    machine = report.machine
    if machine is not None and machine.cores:
        return (machine.other_cpu + machine.steal) / machine.cores
    if not report.core_busy or report.window_s <= 0 or not report.cores:
        return None
    ours = sum(lane.shares(report.window_s)["running"] for lane in report.lanes)
    return max(0.0, sum(report.core_busy) - ours) / len(report.core_busy)


def noise(report: RunReport) -> float:
    """How far from theory a speed-up may be and still be noise: the spread of the baseline's identical parts, or the floor."""
    base = report.baseline
    parts = [p for p in (base.result.get("parts_s") or []) if p > 0] if base is not None else []
    if len(parts) < 2:
        return NOISE_FLOOR
    return max(NOISE_FLOOR, (max(parts) - min(parts)) / statistics.mean(parts))


def _subject(lanes) -> str:
    n = len(lanes)
    kind = "thread" if all(lane.kind == "thread" for lane in lanes) else "process"
    if n == 1:
        return "the " + kind
    return "the %s %s" % (WORDS.get(n, str(n)), kind + ("es" if kind == "process" else "s"))


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _start_delay(report: RunReport, workers) -> float | None:
    """The workers' mean delay from the run's start to their first sampled moment, as a share of the run."""
    start, _ = report.snapshot.window
    if not start or report.window_s <= 0:
        return None
    delays = []
    for lane in workers:
        first = next((b.index for b in lane.bins if any(b.times)), None)
        if first is None:
            return None
        delays.append(max(0.0, first * report.snapshot.bin_s - start))
    return statistics.mean(delays) / report.window_s if delays else None


def expected_waits(report: RunReport) -> dict[str, float]:
    """The waits the theory itself expects of each worker (shares of the run)."""
    config = report.run_config
    kind = config.info.theory
    if kind == "executor":
        kind = "cores" if config.executor == "process" else "gil"
    if kind == "gil" and not report.gil_enabled:
        kind = "cores"
    w, cores = config.worker_count, max(1, report.cores)
    if kind == "gil":
        return {"gil_wait": (w - 1) / w}
    if kind == "cores":
        return {"core_wait": 1 - min(w, cores) / w}
    return {}


def _running_s(report: RunReport, lanes) -> float:
    return sum(lane.shares(report.window_s)["running"] for lane in lanes) * report.window_s


def _more_cpu(report: RunReport, workers) -> float | None:
    """How much more CPU time the workers used than the baseline for the same work (CPU-bound lessons only)."""
    base = report.baseline
    if base is None or report.run_config.info.theory == "workers":
        return None
    base_s = _running_s(base, base.lanes)
    if base_s < 0.1:  # too little to compare
        return None
    return _running_s(report, workers) / base_s - 1


def _worker_reasons(report: RunReport, workers) -> list[str]:
    window = report.window_s
    shares = [lane.shares(window) for lane in workers]
    expected = expected_waits(report)

    def mean(state: str) -> float:
        return statistics.mean(s[state] for s in shares)

    one = len(workers) == 1

    def verb(plural: str) -> str:
        return plural + ("s" if one else "")

    reasons = []
    threads = [lane for lane in workers if lane.kind == "thread" and lane.switches is not None]
    pids = {lane.pid for lane in workers if lane.kind == "thread"}
    exact = [g for g in report.snapshot.gil_state if g.pid in pids and g.readable and g.handoffs_per_s is not None]
    if exact:  # the GIL's own count, read from memory: the voluntary switches were a proxy for it
        per_s = exact[0].handoffs_per_s or 0.0
        if per_s >= SWITCHES_MIN:
            reasons.append("hand the GIL over %d times a second (its own count)" % round(per_s))
    elif threads and window > 0:
        per_s = statistics.mean(lane.switches for lane in threads) / window
        if per_s >= SWITCHES_MIN:
            woken = "is woken" if one else "wake each other"
            reasons.append("%s ~%d times a second (voluntary switches)" % (woken, round(per_s)))
    waits = sorted(((mean(state), expected.get(state, 0.0), words) for state, words in WAITS), reverse=True)
    named = [
        "%s %s" % (pct(share), words) + (" (%s expected)" % pct(exp) if exp >= SHARE_MIN else "")
        for share, exp, words in waits
        if share - exp >= SHARE_MIN
    ][:MAX_WAITS]
    if named:
        reasons.append(verb("wait") + " " + _join(named))
    if report.run_config.info.theory != "workers" and mean("io") >= SHARE_MIN:  # in a CPU-bound lesson, I/O is a loss
        reasons.append("%s %s blocked in I/O" % (verb("spend"), pct(mean("io"))))
    more = _more_cpu(report, workers)
    if more is not None and more >= MORE_CPU_MIN:
        reasons.append("%s %s more CPU time than the sequential run for the same work" % (verb("need"), pct(more)))
    not_started = _start_delay(report, workers)
    if not_started is not None and not_started >= SHARE_MIN:
        reasons.append("%s %s into the run" % (verb("start"), pct(not_started)))
    done = [s["done"] for s in shares]
    if len(done) > 1 and max(done) - min(done) >= SHARE_MIN:
        reasons.append("finish %s of the run apart" % pct(max(done) - min(done)))
    return reasons


def _baseline_reasons(report: RunReport) -> list[str]:
    base = report.baseline
    if base is None:
        return []
    named = []
    for lane in base.lanes:
        shares = lane.shares(base.window_s)
        for state, words in WAITS:
            if shares[state] >= SHARE_MIN:
                named.append("%s %s" % (pct(shares[state]), words))
    return ["the sequential baseline waited " + _join(named)] if named else []


def explain(report: RunReport) -> str | None:
    """One line on why the speed-up is off its theory, or None (no speed-up, or within noise)."""
    s, t = report.speedup, report.theory
    info = report.run_config.info
    if s is None or not t or info.baseline == report.run_config.scenario or report.result.get("cancelled"):
        return None
    if abs(s / t - 1) <= noise(report):
        return None
    if s < 1 <= t:
        verdict = "slower than sequential"
    elif s < t:
        verdict = "short of the %g× theory" % t
    else:
        verdict = "beyond the %g× theory" % t
    workers = [lane for lane in report.lanes if lane.role == "worker"]
    clauses = []
    if workers:
        reasons = _worker_reasons(report, workers)
        if reasons:
            clauses.append("%s %s" % (_subject(workers), _join(reasons)))
    clauses += _baseline_reasons(report)
    load = other_load(report)
    if load is not None and load >= SHARE_MIN:
        clauses.append("the rest of the machine kept %s of the cores busy" % pct(load))
    if not clauses:
        clauses.append("nothing measured accounts for it: no wait, start-up or other load of %s or more" % pct(SHARE_MIN))
    return "%.2f×: %s — %s" % (s, verdict, "; ".join(clauses))
