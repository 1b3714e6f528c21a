"""What several commands do alike: run work that ctrl+c ends cleanly, read a trace, write a file, need a terminal.

Each refusal is a ``UsageError`` said before any work starts (a missing directory, a moment past a
trace's end, no terminal for the dashboard).
"""

from __future__ import annotations

import os
import sys
import threading

from gilviz.cli.errors import UsageError, cannot_write


def _interruptible(work, *args, keep_result: bool = False, **kwargs):
    """Run ``work`` with a cancel event that ctrl+c sets, so the lab is always ended cleanly.

    ``keep_result``: after ctrl+c, return what ``work`` returned once cancelled (a watched
    program stopped or let go still has its figures), rather than raising KeyboardInterrupt.
    """
    cancel = threading.Event()
    box: dict = {}

    finished = threading.Event()  # not Thread.join: a join interrupted by ctrl+c can return early after it

    def target() -> None:
        try:
            box["value"] = work(*args, cancel=cancel, **kwargs)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="gilviz-run")
    thread.start()
    try:
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        cancel.set()
        while not finished.wait(0.1):
            pass
        if not (keep_result and "value" in box):
            raise
    if "error" in box:
        raise box["error"]
    return box["value"]


class terminations_interrupt:  # noqa: N801 (used as a `with` statement, like contextlib's)
    """While inside: SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, as ctrl+c does."""

    def __enter__(self) -> None:
        import signal

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        self.saved = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def __exit__(self, *exc_info) -> None:
        import signal

        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def need_terminal(instead: str) -> None:
    """The dashboard draws on a terminal: without one (a pipe, a cron job, TERM=dumb), say so rather than hang.

    Textual reads keys from stdin and draws on stderr, so those two must be a terminal; and stdout too:
    `gilviz | cat` or `gilviz > file` asks for text, which `gilviz run` gives, not a dashboard.
    """
    if sys.stdin.isatty() and not sys.stdout.isatty():
        raise UsageError("stdout is not a terminal (a pipe or a file), so there is no dashboard to show; use %s" % instead)
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()) or os.environ.get("TERM") == "dumb":
        raise UsageError("the dashboard needs a terminal, and this is not one; without one, use %s" % instead)


def check_screenshot_dir(path: str) -> None:
    """The s key saves there: a missing or read-only directory is said now, not when s is pressed."""
    if not os.path.isdir(path):
        raise UsageError("--screenshot-dir %s: no such directory (make it, or pick one that exists)" % path)
    if not os.access(path, os.W_OK):
        raise UsageError("--screenshot-dir %s: not writable (pick a directory you can write to)" % path)


def write_output(path: str, data: str | bytes) -> None:
    from gilviz.files import write_atomically

    try:
        write_atomically(path, data)
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None


def check_writable(path: str, source: str | None = None) -> None:
    """Fail before any work when the output's directory is missing or not writable, when the output
    is there and not a regular file (a device, a pipe, a directory: a rename would replace it), or
    when it is the file ``source`` being read (it would be lost)."""
    import stat

    from gilviz.outside import visible

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        reason = "no such directory" if not os.path.isdir(directory) else "the directory is not writable"
        raise cannot_write(visible(path), reason)
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        what = "a directory, a device or a pipe"
        raise UsageError("cannot write %s: it is not a regular file but %s (pick a file name)" % (visible(path), what))
    if source is not None and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
        raise UsageError("%s is the file being read: writing it would destroy it (pick another output file)" % visible(path))


def open_trace_writer(path: str):
    from gilviz.trace import TraceWriter

    check_writable(path)
    try:
        return TraceWriter(path)
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None


def load_trace(path: str):
    from gilviz.trace import TraceError, read_trace

    try:
        trace = read_trace(path)
    except TraceError as exc:
        raise UsageError("%s (make a trace with `gilviz record KEY -o FILE`)" % exc) from None
    if not trace.runs:
        raise UsageError("%s has no recorded run (make one with `gilviz record KEY -o FILE`)" % path)
    return trace


def check_moment(at: float | None, trace) -> None:
    """``--at`` must fall inside the trace (a moment after its end would show a screen that never was)."""
    if at is not None and at > trace.after_end_s:
        raise UsageError(
            "--at %g is past the end of %s: it is %.1f s long (pick --at from 0 to %.1f)"
            % (at, trace.path, trace.duration_s, trace.duration_s)
        )


def record_run(config, path: str, *also):
    """Run ``config`` (after its baseline), then each of ``also``, into one trace at ``path``, closed however it ends."""
    from gilviz.measure import Session

    writer = open_trace_writer(path)
    try:
        session = Session(recorder=writer)
        report = None
        for each in (config, *also):
            report = _interruptible(lambda cancel, each=each: session.run(each, cancel=cancel))
        return report
    finally:
        writer.close()
