"""The board: a small shared-memory block the lab writes and the sampler reads.

An mmap'd file that every process maps by path: the UI side creates it, the lab and
its worker processes attach to it (any start method: fork, spawn or forkserver).
``multiprocessing.shared_memory`` is not used because before 3.13 its resource tracker
warns about, and unlinks, blocks that another process created.

Layout: a header of 8-byte words, then one fixed-size slot per worker. Every number is
one aligned 8-byte word written in one store, so a reader never sees half a number; a
slot's ``used`` word is written last, so a reader skips slots still being filled. A
reader tolerates a name that is being rewritten (it is only ever written once).
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
import time

from gilviz.lab import protocol

MAGIC = 0x6C69_7667_5A49_4C47  # any number a stray file is unlikely to hold
VERSION = 1
SLOTS = 160  # 64 threads + 64 processes + mains and helpers, with room to spare

HEADER_WORDS = 16
SLOT_BYTES = 256
NAME_OFFSET = 96  # within a slot, after 12 words
NAME_BYTES = 32
NOTE_OFFSET = NAME_OFFSET + NAME_BYTES
NOTE_BYTES = SLOT_BYTES - NOTE_OFFSET
SIZE = HEADER_WORDS * 8 + SLOTS * SLOT_BYTES

# header words
H_MAGIC, H_VERSION, H_SLOTS, H_STOP, H_STATE, H_T_START, H_T_END, H_IN_USE = range(8)
# run states in H_STATE
IDLE, RUNNING, FINISHED = 0, 1, 2

# slot words
S_USED, S_PID, S_TID, S_KIND, S_ROLE, S_PHASE, S_DONE, S_TOTAL, S_COUNT, S_T_PHASE, S_CPU_NS = range(11)
_NUMBERS = struct.Struct("=11q")  # S_USED .. S_CPU_NS, as the words lie in a slot


class SlotView:
    """One slot as read at one moment (plain values, no reference to the mapping)."""

    __slots__ = ("slot", "pid", "tid", "kind", "role", "phase", "done", "total", "count", "name", "note", "cpu_ns", "t_phase")

    def __init__(self, slot, pid, tid, kind, role, phase, done, total, count, name, note, cpu_ns=0, t_phase=0):
        self.slot = slot
        self.pid = pid
        self.tid = tid
        self.kind = kind
        self.role = role
        self.phase = phase
        self.done = done
        self.total = total
        self.count = count
        self.name = name
        self.note = note
        self.cpu_ns = cpu_ns  # the thread's CPU time when it declared itself done or failed (0: not yet, or not told)
        self.t_phase = t_phase  # when it declared its phase (CLOCK_MONOTONIC ns; 0: not told)

    @property
    def progress(self) -> float:
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0


class Board:
    """A mapped board. ``create()`` makes a new one; ``attach(path)`` maps an existing one."""

    def __init__(self, path: str, mm: mmap.mmap, owner: bool) -> None:
        self.path = path
        self._mm = mm
        self._words = memoryview(mm).cast("q")
        self._owner = owner
        self._views: dict[int, tuple[tuple, SlotView]] = {}  # slot -> (its numbers, its view), for slots()

    @classmethod
    def create(cls) -> Board:
        folder = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()
        fd, path = tempfile.mkstemp(prefix="gilviz-board-", dir=folder)
        try:
            os.ftruncate(fd, SIZE)
            mm = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)
        board = cls(path, mm, owner=True)
        board._words[H_VERSION] = VERSION
        board._words[H_SLOTS] = SLOTS
        board._words[H_MAGIC] = MAGIC
        return board

    @classmethod
    def attach(cls, path: str) -> Board:
        fd = os.open(path, os.O_RDWR)
        try:
            if os.fstat(fd).st_size != SIZE:
                raise ValueError("%s is not a gilviz board (wrong size)" % path)
            mm = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)
        board = cls(path, mm, owner=False)
        if board._words[H_MAGIC] != MAGIC or board._words[H_VERSION] != VERSION:
            board.close()
            raise ValueError("%s is not a gilviz board of version %d" % (path, VERSION))
        return board

    def close(self) -> None:
        """Unmap; the creator also removes the file (mappings elsewhere stay valid)."""
        if self._words is None:
            return
        self._words.release()
        self._words = None  # type: ignore[assignment]
        self._mm.close()
        if self._owner:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    # -- run-wide words ---------------------------------------------------------

    def request_stop(self) -> None:
        self._words[H_STOP] = 1

    def stop_requested(self) -> bool:
        return self._words[H_STOP] != 0

    def mark_started(self) -> int:
        now = time.monotonic_ns()
        self._words[H_T_START] = now
        self._words[H_STATE] = RUNNING
        return now

    def mark_finished(self) -> int:
        now = time.monotonic_ns()
        self._words[H_T_END] = now
        self._words[H_STATE] = FINISHED
        return now

    def reserve(self, slots: int) -> None:
        """Say how many slots (from 0) this run uses, before any worker starts, so readers scan only those."""
        self._words[H_IN_USE] = min(max(slots, 0), SLOTS)

    def run_state(self) -> int:
        return self._words[H_STATE]

    def run_window_ns(self) -> tuple[int, int]:
        """(start, end) in CLOCK_MONOTONIC ns; 0 where not reached yet."""
        return self._words[H_T_START], self._words[H_T_END]

    # -- slots ----------------------------------------------------------------

    def _base(self, slot: int) -> int:
        if not 0 <= slot < SLOTS:
            raise IndexError("board slot %d out of range 0..%d" % (slot, SLOTS - 1))
        return (HEADER_WORDS * 8 + slot * SLOT_BYTES) // 8

    def register(self, slot: int, pid: int, tid: int, kind: int, role: int, name: str, total: int = 0) -> None:
        base = self._base(slot)
        w = self._words
        w[base + S_USED] = 0
        raw = name.encode("utf-8")[:NAME_BYTES].ljust(NAME_BYTES, b"\0")
        start = base * 8 + NAME_OFFSET
        self._mm[start : start + NAME_BYTES] = raw
        w[base + S_PID] = pid
        w[base + S_TID] = tid
        w[base + S_KIND] = kind
        w[base + S_ROLE] = role
        w[base + S_DONE] = 0
        w[base + S_TOTAL] = total
        w[base + S_COUNT] = 0
        w[base + S_CPU_NS] = 0
        w[base + S_T_PHASE] = time.monotonic_ns()
        w[base + S_PHASE] = protocol.STARTING
        w[base + S_USED] = 1

    def set_phase(self, slot: int, phase: int) -> None:
        base = self._base(slot)
        self._words[base + S_T_PHASE] = time.monotonic_ns()
        self._words[base + S_PHASE] = phase

    def finish(self, slot: int, phase: int = protocol.DONE) -> None:
        """Declare the calling thread done (or failed), with its CPU time so far: it is about to exit,
        and the sampler, which reads a thread's CPU from /proc only while it lives, counts its last
        moments from this (``time.thread_time_ns`` and /proc's ``schedstat`` are the same clock)."""
        self._words[self._base(slot) + S_CPU_NS] = time.thread_time_ns()
        self.set_phase(slot, phase)

    def set_progress(self, slot: int, done: int, total: int | None = None) -> None:
        base = self._base(slot)
        if total is not None:
            self._words[base + S_TOTAL] = total
        self._words[base + S_DONE] = done

    def set_count(self, slot: int, count: int) -> None:
        self._words[self._base(slot) + S_COUNT] = count

    def fail(self, slot: int, reason: str, *, own_thread: bool = False) -> None:
        """Mark a slot failed, with a short reason the UI can show (``own_thread``: the failing thread
        says so itself, about to exit, and its CPU time is recorded as ``finish`` does)."""
        raw = reason.encode("utf-8", "replace")[: NOTE_BYTES - 1].ljust(NOTE_BYTES, b"\0")
        start = self._base(slot) * 8 + NOTE_OFFSET
        self._mm[start : start + NOTE_BYTES] = raw
        if own_thread:
            self.finish(slot, protocol.FAILED)
        else:
            self.set_phase(slot, protocol.FAILED)

    def read_slot(self, slot: int) -> SlotView | None:
        base = self._base(slot)
        w = self._words
        if w[base + S_USED] == 0:
            return None
        start = base * 8
        name = bytes(self._mm[start + NAME_OFFSET : start + NAME_OFFSET + NAME_BYTES])
        note = b""
        phase = w[base + S_PHASE]
        if phase == protocol.FAILED:
            note = bytes(self._mm[start + NOTE_OFFSET : start + NOTE_OFFSET + NOTE_BYTES])
        return SlotView(
            slot,
            w[base + S_PID],
            w[base + S_TID],
            w[base + S_KIND],
            w[base + S_ROLE],
            phase,
            w[base + S_DONE],
            w[base + S_TOTAL],
            w[base + S_COUNT],
            name.split(b"\0", 1)[0].decode("utf-8", "replace"),
            note.split(b"\0", 1)[0].decode("utf-8", "replace"),
            w[base + S_CPU_NS],
            w[base + S_T_PHASE],
        )

    def slots(self) -> list[SlotView]:
        """Every registered slot, in slot order (among the reserved ones, if the run reserved any).

        The sampler calls this up to 100 times a second: the reserved slots are copied out in one
        go and their numbers unpacked at once, rather than read a word at a time.
        """
        count = self._words[H_IN_USE] or SLOTS
        start = HEADER_WORDS * 8
        raw = self._mm[start : start + count * SLOT_BYTES]
        views = []
        cache = self._views
        for slot in range(count):
            base = slot * SLOT_BYTES
            numbers = _NUMBERS.unpack_from(raw, base)
            if not numbers[0]:
                continue
            seen = cache.get(slot)
            if seen is not None and seen[0] == numbers:
                views.append(seen[1])  # unchanged since the last read: the same view object
                continue
            _, pid, tid, kind, role, phase, done, total, value, t_phase, cpu_ns = numbers
            name = raw[base + NAME_OFFSET : base + NAME_OFFSET + NAME_BYTES].split(b"\0", 1)[0].decode("utf-8", "replace")
            note = ""
            if phase == protocol.FAILED:
                note = raw[base + NOTE_OFFSET : base + SLOT_BYTES].split(b"\0", 1)[0].decode("utf-8", "replace")
            view = SlotView(slot, pid, tid, kind, role, phase, done, total, value, name, note, cpu_ns, t_phase)
            cache[slot] = (numbers, view)
            views.append(view)
        return views


_attached: dict[str, Board] = {}


def attached(path: str) -> Board:
    """The board at ``path``, attached once per process (pool workers call this per task)."""
    board = _attached.get(path)
    if board is None:
        board = _attached[path] = Board.attach(path)
    return board
