"""Background tasks report progress, results, errors and cancellation through signals."""

import threading
import time

import pytest

from annotator.core.jobs import Cancelled
from annotator.gui.workers import Task

pytestmark = pytest.mark.gui


def test_workers_task_reports_progress_and_result_off_the_gui_thread(qtbot):
    main = threading.get_ident()
    seen_threads = []

    def job(report, should_cancel):
        seen_threads.append(threading.get_ident())
        for i in range(3):
            report(i + 1, 3, f"step {i}")
        return 42

    task = Task(job, "t")
    progress = []
    task.progress.connect(lambda d, t, w: progress.append((d, t, w)))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        task.start()
    assert blocker.args == [42]
    assert progress == [(1, 3, "step 0"), (2, 3, "step 1"), (3, 3, "step 2")]
    assert seen_threads and seen_threads[0] != main
    assert not task.is_running


def test_workers_task_error_is_reported_not_raised(qtbot):
    def job(report, should_cancel):
        raise ValueError("bad file x.jsonl:3")

    task = Task(job)
    with qtbot.waitSignal(task.errored, timeout=5000) as blocker:
        task.start()
    assert "x.jsonl:3" in blocker.args[0]
    assert "ValueError" in blocker.args[1]


def test_workers_task_cancel(qtbot):
    started = threading.Event()

    def job(report, should_cancel):
        started.set()
        while not should_cancel():
            time.sleep(0.01)
        raise Cancelled

    task = Task(job)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.start()
        assert started.wait(5)
        task.cancel()



pytestmark = pytest.mark.gui


def test_workers_shutdown_stops_a_running_task_without_the_event_loop(qtbot):
    def job(report, should_cancel):
        for _ in range(200):
            if should_cancel():
                return "stopped"
            time.sleep(0.01)
        return "ran out"

    task = Task(job, "slow")
    task.start()
    time.sleep(0.05)
    t = time.perf_counter()
    assert task.shutdown(5000)
    assert time.perf_counter() - t < 2.0
    assert not task.is_running


def test_workers_closing_the_window_mid_task_does_not_hang(qtbot, window):
    def slow(project, *, progress=None, should_cancel=None):
        while not should_cancel():
            time.sleep(0.01)

    window.suggest_function = slow
    task = window.suggest_project()
    assert task is not None and task.is_running
    t = time.perf_counter()
    window.close()
    assert time.perf_counter() - t < 3.0
    assert not task.is_running
    assert window.warm_up_nlp() is None  # nothing starts on a closed window


def test_workers_wait_returns_once_the_function_has_returned(qtbot):
    """A window closing waits for its task (the review window's agreement, its merges): the
    thread must end when the function returns, not when the GUI thread, blocked in the wait,
    would have handled the result (it waited out the whole timeout: 30 s by default)."""
    task = Task(lambda report, should_cancel: 1, "quick")
    task.start()
    time.sleep(0.2)  # the function has returned; its result waits for the event loop
    t0 = time.perf_counter()
    assert task.wait(5000)
    assert time.perf_counter() - t0 < 2
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:  # the result still arrives
        pass
    assert blocker.args == [1]
