"""review.bulk_memory: the memory settings agreement runs under are restored after it, once
the last of several overlapping users leaves, and change no figure."""

from __future__ import annotations

import threading

import pytest

from annotator.review import bulk_memory
from annotator.review.agreement import _compute_agreement, compute_agreement
from tests.review.factory import build, words_text


def _huge_pages() -> bool:
    setting = bulk_memory._set_huge_pages(True)
    bulk_memory._set_huge_pages(bool(setting))
    return bool(setting)


def test_bulk_arrays_restores_numpy_huge_pages_after_the_last_user():
    if bulk_memory._set_huge_pages(True) is None:
        pytest.fail("numpy has no huge-page switch: bulk_memory would change nothing (numpy moved it?)")
    entered, leave = threading.Event(), threading.Event()

    def other():
        with bulk_memory.bulk_arrays():
            entered.set()
            leave.wait(10)

    t = threading.Thread(target=other)
    t.start()
    entered.wait(10)
    with bulk_memory.bulk_arrays():
        assert _huge_pages() is False
    assert _huge_pages() is False  # the other thread is still inside
    leave.set()
    t.join(10)
    assert _huge_pages() is True
    with pytest.raises(RuntimeError), bulk_memory.bulk_arrays():
        raise RuntimeError("an error inside")
    assert _huge_pages() is True and bulk_memory._depth == 0


def test_agreement_is_the_same_without_the_memory_settings(tmp_path):
    texts = [words_text(12, salt=i) for i in range(3)]
    spans = {"alice": [(0, 5, "PER"), (6, 11, "ORG")], "bob": [(0, 5, "PER"), (6, 11, "LOC")]}
    work = {a: {d: {"state": "done", "spans": s, "answers": {"stance": "FAVOR"}} for d in range(3)}
            for a, s in spans.items()}
    project, _ids = build(tmp_path / "p.db", texts, work)
    with project:
        plain = _compute_agreement(project, layers=None, questions=None, annotators=None,
                                   include_unfinished=False, progress=None, should_cancel=None)
        assert compute_agreement(project) == plain
        assert plain["layers"]["entities"]["pairwise_f1"]["alice|bob"] == 0.5
