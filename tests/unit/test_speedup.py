"""Speed-up and theory figures, by exact values."""

import pytest
from gilviz.speedup import speedup, theory


def test_speedup_is_baseline_over_wall():
    assert speedup(2.0, 1.0) == 2.0
    assert speedup(1.0, 2.0) == 0.5


@pytest.mark.parametrize(("baseline", "wall"), [(None, 1.0), (1.0, None), (1.0, 0.0), (0.0, 1.0)])
def test_no_speedup_without_both_figures(baseline, wall):
    assert speedup(baseline, wall) is None


@pytest.mark.parametrize(
    ("kind", "workers", "cores", "gil", "executor", "expected"),
    [
        ("workers", 2, 2, True, "thread", 2.0),  # threads I/O
        ("workers", 8, 2, True, "thread", 8.0),  # sleeps overlap whatever the cores
        ("gil", 4, 2, True, "thread", 1.0),  # threads CPU with a GIL
        ("gil", 4, 2, False, "thread", 2.0),  # free-threaded: bounded by cores
        ("cores", 2, 2, True, "thread", 2.0),  # processes CPU
        ("cores", 4, 2, True, "thread", 2.0),
        ("cores", 1, 8, True, "thread", 1.0),
        ("executor", 2, 2, True, "thread", 1.0),
        ("executor", 2, 2, True, "process", 2.0),
        ("one", 5, 16, True, "thread", 1.0),
        (None, 2, 2, True, "thread", None),
    ],
)
def test_theory(kind, workers, cores, gil, executor, expected):
    assert theory(kind, workers=workers, cores=cores, gil_enabled=gil, executor=executor) == expected


def test_unknown_theory_kind_is_an_error():
    with pytest.raises(ValueError):
        theory("magic", workers=1, cores=1, gil_enabled=True)
