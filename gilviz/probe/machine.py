"""Reading what the rest of the machine does during a run (the arithmetic is ``gilviz.noise``).

A ``MachineMeter`` takes a ``CpuReading`` when a run starts and when it ends:

- every core's busy and stolen CPU-seconds so far, from ``psutil.cpu_times()`` (on Linux,
  the ``cpu`` line of ``/proc/stat``; ``guest`` time is already inside ``user``, steal is
  its own field; where steal is not reported it is 0);
- our own CPU-seconds: this process's threads (``time.process_time()``: the sampler, the
  UI, the main thread), plus each root process (the lab, or a ``--pid`` program) and every
  descendant of it, each as its own time plus its reaped children's
  (``children_user``/``children_system``).

How the processes that end during a run are counted: a worker process that exits is
reaped by its parent (``join``, a pool's shutdown, the forkserver's loop), and the
kernel then adds its CPU time, and its own reaped children's, to the parent's
``children_*``; one that has exited but is not reaped yet is a zombie, still listed
among the descendants with its times. Either way its time is in the tree's sum at the
end, exactly once, and the sum never drops when a process is reaped. Two cases escape:
a root that ends before the last reading (a ``--pid`` program) is counted with its last
figure seen (``poll()`` keeps it fresh while watching), and a process orphaned before
being reaped (its parent died first) leaves the tree with its time, which then counts as
other programs' work. Our processes are never other programs' work: neither is this
process's other children (a test's busy loops beside a run are not ours).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import psutil

from gilviz.noise import NOISY_CORES, CpuReading, MachineLoad, machine_load


def machine_cores() -> int:
    """All the machine's cores (other programs may run on any of them, whatever our affinity)."""
    return psutil.cpu_count() or os.cpu_count() or 1


def system_times() -> tuple[float, float]:
    """(all cores' busy CPU-seconds, stolen seconds) since boot."""
    t = psutil.cpu_times()
    busy = t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
    return busy, getattr(t, "steal", 0.0)


def _own_and_reaped(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system + t.children_user + t.children_system


class MachineMeter:
    """Readings of the machine's CPU and of our own processes' (gilviz, and the trees under ``roots``)."""

    def __init__(self, roots: Iterable[int] = (), *, threshold: float = NOISY_CORES) -> None:
        self.roots = list(roots)
        self.threshold = threshold
        self.cores = machine_cores()
        self._last_root: dict[int, float] = {}  # a root's last CPU seen (for one that ends before the last reading)

    def _root_s(self, pid: int, *, with_tree: bool) -> float:
        try:
            root = psutil.Process(pid)
            total = _own_and_reaped(root)
            self._last_root[pid] = total
            if with_tree:
                for child in root.children(recursive=True):
                    try:
                        total += _own_and_reaped(child)
                    except psutil.NoSuchProcess:  # reaped between listing and reading: now in its parent's children_*
                        pass
            return total
        except psutil.Error:  # the root is gone (or unreadable): its last figure
            return self._last_root.get(pid, 0.0)

    def ours_s(self) -> float:
        return time.process_time() + sum(self._root_s(pid, with_tree=True) for pid in self.roots)

    def poll(self) -> None:
        """Keep each root's latest CPU figure (cheap: one file a root), in case it ends before ``read()``."""
        for pid in self.roots:
            self._root_s(pid, with_tree=False)

    def read(self) -> CpuReading:
        ours = self.ours_s()
        busy, steal = system_times()
        return CpuReading(time.monotonic(), busy, steal, ours)

    def load(self, start: CpuReading, end: CpuReading | None = None) -> MachineLoad | None:
        """The load from ``start`` to ``end`` (default: now)."""
        return machine_load(start, end or self.read(), cores=self.cores, threshold=self.threshold)
