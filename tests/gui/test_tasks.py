"""The task runner: one job at a time, cancel, and one 'project changed' signal every window hears."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from annotator.core.jobs import check_cancel
from annotator.gui.tasks import TaskRunner
from annotator.store import Project
from tests.review.factory import build, words_text

pytestmark = pytest.mark.gui


def test_tasks_jobs_run_one_at_a_time_in_order(qtbot):
    runner = TaskRunner()
    running, overlap, order = [0], [], []
    lock = threading.Lock()

    def job(name):
        def run(progress, should_cancel):
            with lock:
                running[0] += 1
                overlap.append(running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            order.append(name)
            return name
        return run

    handles = [runner.run(job(n), n) for n in ("a", "b", "c")]
    assert [h.is_queued for h in handles] == [False, True, True] and runner.queued() == ["b", "c"]
    results = []
    handles[-1].finished.connect(results.append)
    with qtbot.waitSignal(runner.idle, timeout=5000):
        pass
    assert order == ["a", "b", "c"] and max(overlap) == 1 and results == ["c"]
    assert not any(h.is_running for h in handles)


def test_tasks_a_second_job_of_the_same_name_is_refused_unless_the_first_was_cancelled(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    first = runner.run(lambda p, c: gate.wait(5), "merge")
    messages = []
    runner.message.connect(lambda text, _ms: messages.append(text))
    assert runner.run(lambda p, c: None, "merge") is None and "Merge is already under way" in messages
    first.cancel()
    again = runner.run(lambda p, c: "again", "merge")
    assert again is not None and again.is_queued
    gate.set()
    with qtbot.waitSignal(again.finished, timeout=5000) as done:
        pass
    assert done.args == ["again"]


def test_tasks_cancel_stops_a_running_job_and_drops_a_queued_one(qtbot):
    runner = TaskRunner()
    ran = []

    def slow(progress, should_cancel):
        for i in range(500):
            check_cancel(should_cancel)
            progress(i, 500, "")
            time.sleep(0.01)

    running = runner.run(slow, "slow")
    queued = runner.run(lambda p, c: ran.append("queued"), "queued")
    cancelled = []
    queued.cancelled.connect(lambda: cancelled.append("queued"))
    queued.cancel()  # a queued job ends at once, without running
    assert cancelled == ["queued"] and not queued.is_running and runner.queued() == []
    with qtbot.waitSignal(running.cancelled, timeout=5000):
        running.cancel()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert ran == []


def test_tasks_a_job_dies_with_the_window_that_asked_for_it(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    blocker = runner.run(lambda p, c: gate.wait(5), "first")
    owner = QWidget()
    seen = []
    job = runner.run(lambda p, c: seen.append("ran"), "second", owner=owner)
    job.finished.connect(lambda _r: seen.append("finished"))
    owner.deleteLater()
    qtbot.waitUntil(lambda: runner.queued() == [], timeout=2000)
    gate.set()
    with qtbot.waitSignal(blocker.ended, timeout=5000):
        pass
    qtbot.wait(50)
    assert seen == []


def test_tasks_a_writing_job_announces_the_change_before_its_result_even_when_cancelled(qtbot, tmp_path: Path):
    runner = TaskRunner()
    events = []
    runner.projectChanged.connect(lambda path: events.append(("changed", path)))
    job = runner.run(lambda p, c: "done", "write", writes=[tmp_path / "p.db"])
    job.finished.connect(lambda r: events.append(("finished", r)))
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert events == [("changed", str((tmp_path / "p.db").resolve())), ("finished", "done")]

    def stops(progress, should_cancel):
        check_cancel(lambda: True, "stopped after writing half")

    events.clear()
    job = runner.run(stops, "write", writes=[tmp_path / "p.db"])
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass
    assert events == [("changed", str((tmp_path / "p.db").resolve()))]  # what it wrote before stopping shows
    read_only = runner.run(lambda p, c: None, "read")
    with qtbot.waitSignal(read_only.ended, timeout=5000):
        pass
    assert len(events) == 1


def test_tasks_file_merge_refreshes_the_main_window_and_the_review_window(qtbot, tmp_path: Path):
    from annotator.gui.main_window import MainWindow

    main_project, _ = build(tmp_path / "main.db", [words_text(4)], {"alice": {0: {"state": "done"}}})
    source, _ = build(tmp_path / "bob.db", [words_text(4), words_text(5, salt=3)],
                      {"bob": {1: {"spans": [(0, 2, "PER")], "state": "done"}}})
    source.close()
    window = MainWindow(main_project, "gold", remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.documents.model.rowCount() == 1
    window.action("review").trigger()
    review = window._review_opened[-1]  # noqa: SLF001 - the dialogs the wiring keeps alive
    assert review.runner is window.runner
    with qtbot.waitSignal(review.agreement.computed, timeout=15000) as first:
        pass
    assert "bob" not in first.args[0]["annotators"]
    window.action("merge").trigger()
    dialog = window._review_opened[-1]  # noqa: SLF001
    dialog.add_sources([tmp_path / "bob.db"])
    computed = []
    review.agreement.computed.connect(computed.append)
    with qtbot.waitSignal(dialog.merged, timeout=15000):
        dialog.merge_button.click()
    assert window.documents.model.rowCount() == 2  # the main list shows the merged document at once
    qtbot.waitUntil(lambda: bool(computed), timeout=15000)  # the review window recomputed agreement
    assert "bob" in computed[-1]["annotators"]
    with Project(tmp_path / "main.db") as p:
        assert p.count_documents() == 2
    review.close()
    dialog.close()
    window.close()
    main_project.close()
