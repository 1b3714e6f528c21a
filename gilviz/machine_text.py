"""The rest of the machine's load over a run and its baseline, in words (pure).

"other programs used 1.3 of 2 cores during this run — figures will be off": the run
report's, the bench's and the dashboard's warning, from ``gilviz.noise``'s figures.
"""

from __future__ import annotations

from gilviz.model import RunReport
from gilviz.noise import MachineLoad, combine


def run_machine(report: RunReport) -> MachineLoad | None:
    """The rest of the machine's load over the run (over all the runs, when this one stands for repeated runs)."""
    if report.repeats is not None and len(report.repeats.runs) > 1:
        return combine([r.machine for r in report.repeats.runs])
    return report.machine


def baseline_machine(report: RunReport) -> MachineLoad | None:
    """The same over the sequential baseline run(s) the speed-up is measured against (None: no baseline)."""
    if report.repeats is not None and report.repeats.baselines:
        return combine([b.machine for b in report.repeats.baselines])
    return report.baseline.machine if report.baseline is not None else None


def cores_text(cores: float) -> str:
    return "%.1f" % cores if cores < 9.95 else "%.0f" % cores


def load_text(load: MachineLoad) -> str:
    """Who took the cores: "other programs used 1.3", "the hypervisor took 0.4 (steal)", or both."""
    took = []
    if load.other_cpu >= 0.05 or load.steal < 0.05:
        took.append("other programs used %s" % cores_text(load.other_cpu))
    if load.steal >= 0.05:
        took.append("the hypervisor took %s (steal)" % cores_text(load.steal))
    return " and ".join(took)


def machine_warning(report: RunReport) -> str | None:
    """One line when other programs (or the hypervisor) took enough CPU to put the figures off; None otherwise.

    For example "other programs used 1.3 of 2 cores during this run — figures will be off".
    The run and its baseline are both looked at: a speed-up is off if either was disturbed.
    """
    run, base = run_machine(report), baseline_machine(report)
    repeated = report.repeats is not None and len(report.repeats.runs) > 1
    noisy_run = run if run is not None and run.noisy else None
    noisy_base = base if base is not None and base.noisy else None
    during = "these runs" if repeated else "this run"
    bases = "baselines" if repeated else "baseline"
    if noisy_run is not None and noisy_base is not None:
        if noisy_run.steal < 0.05 and noisy_base.steal < 0.05:
            said = "other programs used %s of %d cores during %s, %s during the sequential %s" % (
                cores_text(noisy_run.other_cpu),
                noisy_run.cores,
                during,
                cores_text(noisy_base.other_cpu),
                bases,
            )
        else:
            said = "%s of %d cores during %s; %s during the sequential %s" % (
                load_text(noisy_run),
                noisy_run.cores,
                during,
                load_text(noisy_base),
                bases,
            )
    elif noisy_run is not None:
        said = "%s of %d cores during %s" % (load_text(noisy_run), noisy_run.cores, during)
    elif noisy_base is not None:
        said = "%s of %d cores during the sequential %s" % (load_text(noisy_base), noisy_base.cores, bases)
    else:
        return None
    return said + " — figures will be off"
