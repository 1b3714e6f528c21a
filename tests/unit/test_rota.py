"""Which lanes a tick looks at: a changed watch list brings the lanes it changed, not every parked one."""

from types import SimpleNamespace

from gilviz.probe.parking import Rota

NOW = 10_000_000_000


def view(slot: int):
    return SimpleNamespace(slot=slot, pid=1, tid=100 + slot)


def lane(rest_until: int = 0, gone: bool = False):
    return SimpleNamespace(rest_until=rest_until, gone=gone)


def test_a_changed_watch_list_brings_its_new_and_ended_lanes_and_leaves_the_parked_ones_parked():
    rota = Rota()
    views = [view(s) for s in range(5)]
    watched = {0: lane(), 1: lane(NOW + 2_000_000_000), 2: lane(NOW + 2_000_000_000), 3: lane(NOW + 2_000_000_000), 4: lane()}
    assert [v.slot for v in rota.lanes(views, False, NOW, watched)] == [0, 1, 2, 3, 4]  # the first tick: all
    rota.settle(views, watched)  # 0 and 4 awake, 1-3 parked
    assert [v.slot for v in rota.lanes(views, False, NOW + 1, watched)] == [0, 4]

    new = view(5)  # a request thread came; thread 2 was found gone by the listing (still listed, to draw its end)
    changed = [*views, new]
    watched[5] = lane()
    looked = rota.lanes(changed, False, NOW + 2, watched, ended={(1, 102)})
    assert sorted(v.slot for v in looked) == [0, 2, 4, 5]  # 1 and 3 stay parked: they are not read
    assert len(looked) == len({v.slot for v in looked})  # each once

    watched[2] = lane(NOW + 2_000_000_000, gone=True)  # read as gone: once is enough
    rota.settle(looked, watched)
    again = [*changed]  # the list made anew, nothing else changed
    assert sorted(v.slot for v in rota.lanes(again, False, NOW + 3, watched, ended={(1, 102)})) == [0, 4, 5]


def test_a_tick_that_must_read_everyone_gets_every_lane():
    rota = Rota()
    views = [view(s) for s in range(3)]
    watched = {s: lane(NOW + 2_000_000_000) for s in range(3)}
    rota.lanes(views, False, NOW, watched)
    rota.settle(views, watched)
    assert rota.lanes(views, True, NOW + 1, watched) is views
