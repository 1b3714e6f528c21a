"""The shared board: layout, registration, phases, attach checks."""

import os
import threading

import pytest
from gilviz.lab import protocol
from gilviz.lab.board import FINISHED, IDLE, RUNNING, SLOTS, Board


def test_register_and_read_back(board):
    assert board.slots() == []
    board.register(3, 111, 222, protocol.PROCESS, protocol.WORKER, "worker-3", total=1000)
    board.set_phase(3, protocol.CPU)
    board.set_progress(3, 250)
    board.set_count(3, 7)
    (view,) = board.slots()
    assert (view.slot, view.pid, view.tid, view.kind, view.role) == (3, 111, 222, protocol.PROCESS, protocol.WORKER)
    assert (view.name, view.phase, view.done, view.total, view.count) == ("worker-3", protocol.CPU, 250, 1000, 7)
    assert view.progress == 0.25
    assert view.note == ""


def test_another_mapping_sees_the_writes(board):
    other = Board.attach(board.path)
    try:
        board.register(0, 1, 2, protocol.THREAD, protocol.MAIN, "MainThread")
        board.fail(0, "ValueError: boom")
        view = other.read_slot(0)
        assert view is not None and view.phase == protocol.FAILED and view.note == "ValueError: boom"
        other.request_stop()
        assert board.stop_requested()
    finally:
        other.close()


def test_run_window_marks(board):
    assert board.run_state() == IDLE and board.run_window_ns() == (0, 0)
    start = board.mark_started()
    assert board.run_state() == RUNNING and board.run_window_ns() == (start, 0)
    end = board.mark_finished()
    assert board.run_state() == FINISHED and board.run_window_ns() == (start, end) and end >= start


def test_long_names_and_notes_are_cut_not_overflowing(board):
    board.register(1, 1, 1, protocol.THREAD, protocol.WORKER, "n" * 100)
    board.register(2, 2, 2, protocol.THREAD, protocol.WORKER, "second")
    board.fail(1, "x" * 1000)
    one, two = board.slots()
    assert one.name == "n" * 32 and len(one.note) == 127
    assert two.name == "second" and two.phase == protocol.STARTING


def test_slot_out_of_range(board):
    with pytest.raises(IndexError):
        board.register(SLOTS, 1, 1, protocol.THREAD, protocol.WORKER, "x")


def test_attach_rejects_other_files(tmp_path):
    wrong_size = tmp_path / "f"
    wrong_size.write_bytes(b"hello")
    with pytest.raises(ValueError):
        Board.attach(str(wrong_size))
    from gilviz.lab.board import SIZE

    zeros = tmp_path / "z"
    zeros.write_bytes(b"\0" * SIZE)
    with pytest.raises(ValueError):
        Board.attach(str(zeros))


def test_creator_removes_the_file():
    b = Board.create()
    path = b.path
    assert os.path.exists(path)
    b.close()
    b.close()  # twice is fine
    assert not os.path.exists(path)


def test_concurrent_writers_never_tear_words(board):
    """Words are single aligned stores: a reader never sees a mix of two writes."""
    board.register(0, 1, 1, protocol.THREAD, protocol.WORKER, "w")
    values = (0x0101010101010101, 0x7E7E7E7E7E7E7E7E)
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            board.set_count(0, values[i & 1])
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen = {board.read_slot(0).count for _ in range(20000)}
    finally:
        stop.set()
        t.join()
    assert seen <= set(values) | {0}


def test_readers_scan_only_the_reserved_slots(board):
    board.register(5, 1, 1, protocol.THREAD, protocol.WORKER, "far")
    board.register(1, 1, 1, protocol.THREAD, protocol.WORKER, "near")
    assert [v.name for v in board.slots()] == ["near", "far"]
    board.reserve(3)
    assert [v.name for v in board.slots()] == ["near"]
