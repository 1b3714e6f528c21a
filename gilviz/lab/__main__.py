"""``python -m gilviz.lab --board PATH``: the lab process's entry point (layer: lab).

Started by the UI side with its own session (so it leads its own process group), it
says hello (interpreter facts), waits for one ``run`` command, runs it, reports the
result, and then waits for its stdin to close. EOF on stdin means the UI side is gone
or done: the lab kills its whole process group (itself, its worker processes and
multiprocessing's helpers) at once. That is what makes orphans impossible even when the
UI is killed with SIGKILL: the kernel closes the pipe for it.

stdout is kept for events only: fd 1 is pointed at stderr, so a stray print in a worker
cannot corrupt the event stream.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import sys
import sysconfig
import threading
import traceback

from gilviz.lab import protocol
from gilviz.lab.board import Board


def interpreter_facts() -> dict:
    gil_check = getattr(sys, "_is_gil_enabled", None)
    free_threaded_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {
        "implementation": sys.implementation.name,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "free_threaded_build": free_threaded_build,
        "gil_enabled": bool(gil_check()) if gil_check else True,
        "switch_interval_s": sys.getswitchinterval(),
    }


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def end_everything() -> None:
    """Kill this lab's process group (its leader is this process), or failing that, its children."""
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
    os._exit(0)


class Events:
    """The event stream on the saved stdout; a write to a closed pipe ends the lab."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, event: str, **fields) -> None:
        fields["event"] = event
        data = protocol.encode(fields)
        with self._lock:
            try:
                while data:
                    data = data[os.write(self._fd, data) :]
            except (BrokenPipeError, OSError):
                end_everything()


def read_commands(commands: queue.Queue, board: Board) -> None:
    """Read stdin with os.read (no Python-level lock held, so forking stays safe)."""
    pending = b""
    while True:
        try:
            chunk = os.read(0, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            end_everything()
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                command = protocol.decode(line)
            except ValueError:
                command = {"cmd": "garbage", "line": line[:200].decode("utf-8", "replace")}
            if command.get("cmd") == "stop":
                board.request_stop()
            else:
                commands.put(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gilviz.lab")
    parser.add_argument("--board", required=True)
    parser.add_argument("--nice", type=int, default=0)
    args = parser.parse_args(argv)

    events = Events(os.dup(1))
    os.dup2(2, 1)
    if args.nice:
        os.nice(args.nice)
    board = Board.attach(args.board)
    commands: queue.Queue = queue.Queue()
    threading.Thread(target=read_commands, args=(commands, board), name="gilviz-commands", daemon=True).start()
    events.send(
        "hello",
        protocol=protocol.PROTOCOL_VERSION,
        pid=os.getpid(),
        python=interpreter_facts(),
        cores=usable_cores(),
    )

    command = commands.get()
    if command.get("cmd") != "run":
        events.send("error", message="expected a run command, got %r" % (command,))
    else:
        from gilviz.lab.drivers import Run

        try:
            result = Run(board, command).start()
        except Exception as exc:
            events.send("error", message="%s: %s" % (type(exc).__name__, exc), traceback=traceback.format_exc())
        else:
            events.send("result", **result)
    while True:  # the UI side ends the lab by closing stdin
        commands.get()


if __name__ == "__main__":
    sys.exit(main())
