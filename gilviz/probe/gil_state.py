"""The GIL's own state, read from the watched process's memory: who holds it, hand-offs.

CPython keeps its GIL in one struct in static data (3.9–3.13; 3.13t puts an ``int
enabled`` before it)::

    unsigned long interval;        /* +0   the switch interval, µs */
    PyThreadState *last_holder;    /* +8   the holder while locked */
    int locked; int padding;       /* +16  0 or 1 */
    unsigned long switch_number;   /* +24  +1 each time another thread takes it */
    pthread_cond_t cond;           /* +32  waiters sleep on its futex words: +72 and +76 */
    pthread_mutex_t mutex; ...     /* (3.9+: a second condition, switch_cond: +160, +164) */

The offsets are glibc's on x86-64. The struct is found from a GIL waiter's futex
address (the syscall file gives it: the waiter sleeps at start + 72 or + 76, or + 160 /
+ 164 on the forced-switch condition) and kept only if its shape is right: a plausible
interval, ``locked`` 0 or 1 with zero padding, a holder that maps to a thread of that
process. Nothing is guessed: before any thread of a process has waited for the GIL, or
when its memory cannot be read, the process gets a reason and everything else works as
without this module.

The holder, a ``PyThreadState*``, maps to a thread id through a field found by matching
the process's known thread ids, never a hard-coded offset: on 3.11+ the native thread
id in the thread state (offset 160 on 3.11/3.13, 144 on 3.12); on 3.9/3.10 through its
``pthread_t``, which on glibc x86-64 points at a ``struct pthread`` that begins with a
pointer to itself and holds the thread id further on (offset 720 here).

Each read is one ``pread`` of 32 bytes on a kept-open ``/proc/PID/mem`` (the same ptrace
permission as the syscall file), plus one of the holder's syscall file: is it on a CPU or
blocked while it holds the GIL, and in which call.
"""

from __future__ import annotations

import os
import struct
from typing import NamedTuple

from gilviz.probe.gil_address import GilLocation, in_ranges
from gilviz.probe.syscalls import Blocked

WAITER_OFFSETS = (72, 76, 160, 164)  # where waiters' futex words sit from the struct's start (glibc x86-64)
GIL_WORDS = struct.Struct("<QQiiQ")  # interval, last_holder, locked, padding, switch_number
_U64 = struct.Struct("<Q")
_I32 = struct.Struct("<i")
MAX_INTERVAL_US = 10**10  # switch intervals above ~3 hours are not a GIL's
USER_TOP = 0x0000_8000_0000_0000  # x86-64 user addresses lie below this
TSTATE_SCAN = 512  # bytes of a PyThreadState searched for the thread id
PTHREAD_SCAN = 1024  # bytes of glibc's struct pthread searched for the thread id


class GilWords(NamedTuple):
    """The GIL struct's first 32 bytes, decoded."""

    interval_us: int
    holder: int  # PyThreadState* of the (last) holder
    locked: bool
    switch_number: int


_IS_ZERO = bytes([1] + [0] * 255)  # translate tables: a byte -> 1 where it is zero (or 0 or 1), else 0
_NOT_ZERO = bytes([0] + [1] * 255)
_ZERO_OR_ONE = bytes([1, 1] + [0] * 254)
# Byte tests per 8-byte word, by the word's index from the struct's start: (word, byte, table).
# interval < 2**32 µs and not 0; holder a user-space pointer (top two bytes zero), not 0;
# locked 0 or 1 and the padding zero; the mutex's __count (+84), __kind (+96) and __list
# (+104..+120) zero, as glibc's default mutex has them.
_SHAPE_TESTS = (
    [(0, b, _IS_ZERO) for b in range(4, 8)]
    + [(1, b, _IS_ZERO) for b in (6, 7)]
    + [(2, 0, _ZERO_OR_ONE)]
    + [(2, b, _IS_ZERO) for b in range(1, 8)]
    + [(10, b, _IS_ZERO) for b in range(4, 8)]
    + [(12, b, _IS_ZERO) for b in range(4)]
    + [(w, b, _IS_ZERO) for w in (13, 14) for b in range(8)]
)
_SHAPE_WORDS = 15
MAX_SWITCHES = 1 << 40  # a count, not a pointer
SCAN_AT_S = (0.3, 1.5, 5.0)  # when, after a process is first seen, its static data is scanned (if no waiter yet)


def decode(raw: bytes) -> GilWords | None:
    """The struct's words, or None when the bytes do not have a GIL's shape."""
    if len(raw) < GIL_WORDS.size:
        return None
    interval, holder, locked, padding, switches = GIL_WORDS.unpack_from(raw)
    if not 0 < interval <= MAX_INTERVAL_US or locked not in (0, 1) or padding != 0:
        return None
    if holder >= USER_TOP or holder % 8 or (locked and not holder):
        return None
    return GilWords(interval, holder, bool(locked), switches)


def mutex_shaped(tail: bytes) -> bool:
    """The 40 bytes at +80 look like glibc's default pthread_mutex_t: ``__count``, ``__kind`` and ``__list`` zero."""
    return len(tail) >= 40 and tail[4:8] == bytes(4) and tail[16:20] == bytes(4) and tail[24:40] == bytes(16)


def aligned_places(data: bytes) -> list[int]:
    """Offsets (8-byte aligned) whose words pass every byte test of ``_SHAPE_TESTS``.

    Done a byte plane at a time in C (slicing, ``translate``, big-int ``&``): a Python loop
    or a regular expression over 1.5 MB of static data takes a second on a busy machine,
    and the sampler's thread shares the dashboard's GIL."""
    words = len(data) // 8
    if words < _SHAPE_WORDS:
        return []
    planes = {b: data[b : words * 8 : 8] for b in range(8)}  # byte b of every word
    mask = -1
    for word, byte, table in _SHAPE_TESTS:
        plane = planes[byte].translate(table)
        mask &= int.from_bytes(plane, "little") >> (8 * word)  # word i + ``word`` lined up with word i
    nonzero = planes[0].translate(_NOT_ZERO)  # the interval and the holder are not zero: any low byte set
    for b in range(1, 4):
        nonzero = (int.from_bytes(nonzero, "little") | int.from_bytes(planes[b].translate(_NOT_ZERO), "little")).to_bytes(
            words, "little"
        )
    both = int.from_bytes(nonzero, "little")
    mask &= both & (both >> 8)
    hits = (mask & ((1 << (8 * (words - _SHAPE_WORDS + 1))) - 1)).to_bytes(words, "little")
    out, i = [], hits.find(1)
    while i >= 0:
        out.append(i * 8)
        i = hits.find(1, i + 1)
    return out


def shaped_places(data: bytes, base: int, ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, GilWords]]:
    """Places in a block of static data (read from ``base``) with the GIL's shape, its mutex's included."""
    out = []
    for o in aligned_places(data):
        if not mutex_shaped(data[o + 80 : o + 120]):
            continue
        words = decode(data[o : o + 32])
        if words is None or not words.holder or not 0 < words.switch_number < MAX_SWITCHES:
            continue  # no thread has taken it yet, or the "count" is too big to be one
        if in_ranges(words.switch_number, ranges):
            continue  # a pointer into static data, not a count
        out.append((base + o, words))
    return out


def candidates(futex_address: int) -> list[int]:
    """Where the struct may start, given a waiter's futex address."""
    return [futex_address - off for off in WAITER_OFFSETS if futex_address - off > 0]


def direct_offsets(tstate: bytes, tids: frozenset[int]) -> list[int]:
    """Offsets of 8-byte words in a thread state that equal a known thread id (3.11+: native_thread_id)."""
    return [o for o in range(0, len(tstate) - 7, 8) if _U64.unpack_from(tstate, o)[0] in tids]


def pointer_offsets(tstate: bytes) -> list[int]:
    """Offsets of 8-byte words in a thread state that could be pointers (a ``pthread_t`` among them)."""
    out = []
    for o in range(0, len(tstate) - 7, 8):
        value = _U64.unpack_from(tstate, o)[0]
        if 0x10000 <= value < USER_TOP and not value % 8:
            out.append(o)
    return out


def pthread_tid_offsets(block: bytes, address: int, tids: frozenset[int]) -> list[int]:
    """Offsets of a known thread id in a glibc ``struct pthread`` at ``address`` (which starts with itself)."""
    if len(block) < 24 or _U64.unpack_from(block, 0)[0] != address or _U64.unpack_from(block, 16)[0] != address:
        return []  # x86-64 glibc: tcbhead_t.tcb and .self point at the block: anything else is not a pthread
    return [o for o in range(0, len(block) - 3, 4) if _I32.unpack_from(block, o)[0] in tids]


class HolderMap(NamedTuple):
    """How a holder pointer becomes a thread id: the word at ``field`` of the thread state, directly
    (``via`` None) or, when ``via`` is set, the int at ``via`` of the ``struct pthread`` it points to."""

    field: int
    via: int | None = None


def _read(fd: int, size: int, address: int) -> bytes | None:
    try:
        return os.pread(fd, size, address)
    except (OSError, OverflowError):
        return None


def calibrate(fd: int, holder: int, tids: frozenset[int]) -> HolderMap | None:
    """Find where a thread state keeps its thread id by matching the process's known tids."""
    tstate = _read(fd, TSTATE_SCAN, holder)
    if not tstate:
        return None
    direct = direct_offsets(tstate, tids)
    if direct:
        return HolderMap(direct[0])
    for field in pointer_offsets(tstate):
        address = _U64.unpack_from(tstate, field)[0]
        block = _read(fd, PTHREAD_SCAN, address)
        found = pthread_tid_offsets(block or b"", address, tids)
        if found:
            return HolderMap(field, found[0])
    return None


def holder_tid(fd: int, holder: int, how: HolderMap) -> int | None:
    """The thread id of a holder pointer, by a calibrated map (None when it cannot be read)."""
    word = _read(fd, 8, holder + how.field)
    if word is None or len(word) < 8:
        return None
    value = _U64.unpack(word)[0]
    if how.via is None:
        return value
    raw = _read(fd, 4, value + how.via)
    return _I32.unpack(raw)[0] if raw is not None and len(raw) == 4 else None


class GilReading(NamedTuple):
    """One look at a process's GIL."""

    locked: bool
    holder_tid: int  # 0: not held, or the holder is not a known thread
    switch_number: int
    interval_us: int


FOUND_BY_WAITER = "GIL read from memory"
FOUND_BY_SHAPE = "GIL found by its shape in static data (no thread has waited for it yet)"


def _found(gil: GilLocation, how: str) -> str:
    prefix = "free-threaded, GIL re-enabled; " if gil.detail.startswith("free-threaded") else ""
    return prefix + how + ": hand-offs exact, holder sampled each tick"


class ProcessGil:
    """One process's GIL: found, calibrated, then read on every tick. ``detail`` says why when it cannot be."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd: int | None = None
        self.address = 0  # the struct's start, once found
        self.how: HolderMap | None = None
        self.detail = "no thread has waited for the GIL yet: its state not found"
        self.failed = False  # the memory cannot be read: no more tries
        self.scanned = False  # found by a scan, not yet confirmed by a waiter
        self._tids: dict[int, int] = {}  # holder pointer -> tid, while that tid is alive

    @property
    def readable(self) -> bool:
        return bool(self.address) and self.how is not None

    def _open(self) -> int | None:
        if self.fd is None and not self.failed:
            try:
                self.fd = os.open("/proc/%d/mem" % self.pid, os.O_RDONLY)
            except OSError as exc:
                self.failed = True
                self.detail = "cannot read /proc/%d/mem (%s): GIL holder unknown" % (self.pid, exc.strerror or exc)
        return self.fd

    def offer(self, futex_address: int, gil: GilLocation, tids: frozenset[int]) -> bool:
        """A thread of this process waits on ``futex_address``: find the struct from it if it is the GIL's."""
        if (self.address and not self.scanned) or not gil.ranges or not in_ranges(futex_address, gil.ranges):
            return False
        if self.scanned and futex_address - self.address in WAITER_OFFSETS:
            self.scanned = False  # a waiter sleeps on the struct the scan found: confirmed
            self.detail = _found(gil, FOUND_BY_WAITER)
            return True
        fd = self._open()
        if fd is None:
            return False
        for start in candidates(futex_address):
            words = decode(_read(fd, GIL_WORDS.size, start) or b"")
            if words is None or not in_ranges(start, gil.ranges):
                continue
            how = calibrate(fd, words.holder, tids) if words.holder else None
            if how is None:
                continue
            self.address, self.how, self.scanned = start, how, False
            self.detail = _found(gil, FOUND_BY_WAITER)
            return True
        return False

    def scan(self, gil: GilLocation, tids: frozenset[int]) -> bool:
        """Before any thread has waited: find the struct by its shape in static data, if exactly one place has it.

        Kept as found by a scan until a waiter's futex confirms it (``offer``), or replaces it."""
        fd = self._open()
        if fd is None or not gil.ranges:
            return False
        found = []
        for lo, hi in gil.ranges:
            data = _read(fd, hi - lo, lo)
            for address, words in shaped_places(data or b"", lo, gil.ranges):
                how = calibrate(fd, words.holder, tids)
                if how is not None:
                    found.append((address, how))
        if len(found) != 1:
            return False  # none, or more than one: never guess
        self.address, self.how = found[0]
        self.scanned = True
        self.detail = _found(gil, FOUND_BY_SHAPE)
        return True

    def read(self, tids: frozenset[int]) -> GilReading | None:
        """The GIL now (None when it can no longer be read: the process is gone)."""
        fd = self.fd
        if fd is None or not self.address or self.how is None:
            return None
        words = decode(_read(fd, GIL_WORDS.size, self.address) or b"")
        if words is None:
            return None
        tid = 0
        if words.locked:
            tid = self._tids.get(words.holder, 0)
            if tid not in tids:
                found = holder_tid(fd, words.holder, self.how)
                tid = found if found in tids else 0
                if tid:
                    self._tids[words.holder] = tid
        return GilReading(words.locked, tid, words.switch_number, words.interval_us)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def blocked_call(reading: Blocked | str | None, gil: GilLocation) -> str:
    """The call a GIL holder is blocked in ("" when on a CPU, or in transit: waiting for the GIL itself)."""
    if not isinstance(reading, Blocked):
        return ""
    if reading.futex_address is not None and gil.ranges and in_ranges(reading.futex_address, gil.ranges):
        return ""  # it let the GIL go between the two reads and now waits to take it back
    return reading.name
