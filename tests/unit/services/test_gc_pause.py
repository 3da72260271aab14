"""Big jobs run without full garbage collections; the thresholds come back afterwards."""

from __future__ import annotations

import gc

import pytest

from cobrador_desktop.services.gc_pause import no_full_collection


def test_no_full_collection_inside_nested_blocks_and_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with no_full_collection():
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] >= 1_000_000  # no generation-2 collection in a job
        with no_full_collection():
            assert gc.get_threshold()[2] >= 1_000_000
        assert gc.get_threshold()[2] >= 1_000_000  # the outer job still runs
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), no_full_collection():
        raise RuntimeError("a failed job")
    assert gc.get_threshold() == before


def test_young_collections_still_run() -> None:
    with no_full_collection():
        collected = gc.get_stats()[0]["collections"]
        for _ in range(5000):
            cycle: list[object] = []
            cycle.append(cycle)
        assert gc.get_stats()[0]["collections"] > collected


def test_the_window_takes_the_interpreter_back_within_a_millisecond() -> None:
    import sys

    from cobrador_desktop.services.gc_pause import SWITCH_INTERVAL, responsive_loop

    before = sys.getswitchinterval()
    try:
        responsive_loop()
        assert sys.getswitchinterval() == SWITCH_INTERVAL <= 0.001 < before
    finally:
        sys.setswitchinterval(before)


def test_freezing_the_settled_heap_takes_it_out_of_later_collections() -> None:
    import gc

    from cobrador_desktop.services.gc_pause import freeze_settled_heap

    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        freeze_settled_heap()
        assert gc.get_freeze_count() > 1000  # the modules and objects loaded so far
    finally:
        gc.unfreeze()
