"""``python -m gilviz.lab --board PATH``: the lab process's entry point.

Started by the UI side with its own session (so it leads its own process group), it
says hello (interpreter facts), waits for one command, carries it out, reports the
result, and then waits for its stdin to close. The command is ``run`` (a scenario, see
``drivers``) or ``watch`` (a user's program, see ``program``); ``stop`` ends either early. EOF on stdin means the UI side is gone
or done: the lab kills its whole process group (itself, its worker processes and
multiprocessing's helpers) at once, after every other descendant (it is a child subreaper,
so an orphan below it stays its descendant). That is what makes orphans impossible even
when the UI is killed with SIGKILL: the kernel closes the pipe for it.

stdout is kept for events only: fd 1 is pointed at stderr, so a stray print in a worker
cannot corrupt the event stream.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import sys
import threading
import traceback

from gilviz.lab import protocol
from gilviz.lab.board import Board
from gilviz.lab.facts import interpreter_facts
from gilviz.lab.reaper import become_subreaper


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def end_everything() -> None:
    """Kill this lab's process group (its leader is this process), or failing that, its children."""
    from gilviz.lab.program import kill_programs
    from gilviz.lab.reaper import kill_descendants

    kill_programs()  # a watched program leads its own group: kill it first
    kill_descendants()  # then whatever left its group (setsid) or was orphaned: re-parented to us, the subreaper
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


def read_commands(commands: queue.Queue, on_stop) -> None:
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
                on_stop()
            else:
                commands.put(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gilviz.lab")
    parser.add_argument("--board", default=None, help="the shared board (a scenario run needs one)")
    parser.add_argument("--nice", type=int, default=0)
    args = parser.parse_args(argv)

    events = Events(os.dup(1))
    os.dup2(2, 1)
    become_subreaper()  # orphans below us become our children: none escapes end_everything()
    if args.nice:
        os.nice(args.nice)
    board = Board.attach(args.board) if args.board else None
    commands: queue.Queue = queue.Queue()
    stoppers = [board.request_stop] if board is not None else []
    threading.Thread(
        target=read_commands, args=(commands, lambda: [stop() for stop in stoppers]), name="gilviz-commands", daemon=True
    ).start()
    events.send(
        "hello",
        protocol=protocol.PROTOCOL_VERSION,
        pid=os.getpid(),
        python=interpreter_facts(),
        cores=usable_cores(),
    )

    command = commands.get()
    if command.get("cmd") == "watch":
        from gilviz.lab.program import Program

        program = Program(command.get("argv") or [], command.get("output"), command.get("cwd"))
        stoppers.append(program.stop_asked.set)
        events.send("result", **program.run(events.send))
    elif command.get("cmd") != "run" or board is None:
        events.send("error", message="expected a run command (and a board), got %r" % (command,))
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
