"""A watched program's panels: its output's last lines, and how its waits were told apart (pure text)."""

from __future__ import annotations

from rich.text import Text

from gilviz.timeline import Snapshot

READING = (
    "Each row is a thread of the program, under its process. Bar height: the share of the "
    "column it ran on a core. Behind or instead of the bar, what it waited for, read from "
    "the kernel (/proc/PID/task/TID/syscall): a futex in the interpreter's static data is "
    "the GIL, any other futex a lock, any other call I/O (named at the row's end when it "
    "is tall enough). Nothing is declared by the program."
)


def output_text(lines: tuple[str, ...], path: str | None) -> Text:
    """The output's last lines; made safe where they were read (``sources.watch``), their SGR colour drawn."""
    text = Text()
    if not lines:
        text.append("(no output yet)", style="dim")
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
        text.append_text(Text.from_ansi(line) if "\x1b" in line else Text(line))
    return text


def waits_text(snapshot: Snapshot | None) -> Text:
    """How blocked time is named here, per process: where its GIL is, or why it cannot be told."""
    text = Text(READING + "\n\n", style="")
    if snapshot is None:
        return text
    if snapshot.coarse:
        text.append("coarse: no /proc here, so no syscall readings: blocked time is not named\n", style="bold")
    elif snapshot.denied:
        text.append("the kernel refused to show where threads wait (ptrace rules): blocked time is not named\n", style="bold")
    for pid, detail, known in snapshot.gil:
        text.append("pid %d: " % pid, style="bold")
        text.append(detail + "\n", style="" if known else "dim")
    return text
