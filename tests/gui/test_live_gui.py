"""Windows on a server project refresh when another session changes it, and an edit whose
connection is lost is never shown as saved."""

from __future__ import annotations

import psycopg
import pytest

from annotator.core import Document, Span
from annotator.gui.main_window import MainWindow
from annotator.store import Project, dialect
from tests.demo import make_demo


@pytest.fixture
def server(pg_url, tmp_path):
    """The demo project on a server (three documents; A and C carry suggestions)."""
    make_demo(pg_url)
    return pg_url


@pytest.fixture
def live_window(qtbot, server):
    with Project(server) as project:
        win = MainWindow(project, "alice", remember=False)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.open_document(1)
        assert win.live is not None
        yield win
        win.close()


def test_live_window_hears_another_session_import_and_finish(qtbot, live_window, server):
    win = live_window
    assert win.documents.model.rowCount() == 3
    assert win.documents.progress_label.text() == "0 of 3 done"
    refreshes = []
    win.live.refreshed.connect(refreshes.append)
    with Project(server) as other:  # alice on another machine, or a teammate importing
        new_id, _ = other.add_document(Document(text="Banjir melanda Jakarta Utara pagi ini.", title="Banjir"))
        other.set_status(2, "alice", "done")
    qtbot.waitUntil(lambda: win.documents.model.rowCount() == 4, timeout=3000)
    qtbot.waitUntil(lambda: win.documents.progress_label.text() == "1 of 4 done", timeout=3000)
    assert win.documents.model.row_of(new_id) is not None
    assert win.session.doc_id == 1  # the reader stays where they were
    # the window's own edits are not news to it (its background jobs' are: the project memory)
    refreshes.clear()
    win.session.create_span(0, 5, "PER")
    qtbot.wait(800)
    heard = [c for batch in refreshes for c in batch]
    assert not any(c.kind == "spans" or c.pid == win.project.session_pid for c in heard)


def test_live_window_shows_the_same_annotator_working_elsewhere(qtbot, live_window, server):
    win = live_window
    before = len(win.session.spans)
    with Project(server) as other:
        other.add_span(1, Span(0, 5, "PER"), "alice")
    qtbot.waitUntil(lambda: len(win.session.spans) == before + 1, timeout=3000)


def test_live_review_window_recomputes_agreement_when_annotators_edit(qtbot, server):
    from annotator.gui.review.window import ReviewWindow

    with Project(server) as p:
        p.add_span(1, Span(0, 5, "PER"), "alice")
        p.add_span(1, Span(0, 5, "PER"), "bob")
        p.set_status(1, "alice", "done")
        p.set_status(1, "bob", "done")
    review = ReviewWindow(server)
    qtbot.addWidget(review)
    review.show()
    with qtbot.waitSignal(review.agreement.computed, timeout=10000) as first:
        pass
    assert review.live is not None
    with Project(server) as p:  # bob disagrees now: the figures change with no click
        p.add_span(1, Span(6, 11, "LOC"), "bob")
    with qtbot.waitSignal(review.agreement.computed, timeout=5000) as second:
        pass
    assert second.args[0] != first.args[0]
    review.close()


def test_live_lost_connection_is_never_shown_saved(qtbot, live_window, server, pg_admin_url, monkeypatch):
    win = live_window
    conn = win.project._conn  # noqa: SLF001 - the test plays the network

    def kill() -> None:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (conn.backend_pid,))

    real_pipeline = dialect.PgConnection._pipeline

    def send_then_lose(self, entries):  # the connection drops just before the COMMIT goes
        if self is conn and any(text == "COMMIT" for text, _, _ in entries):
            kill()
        return real_pipeline(self, entries)

    monkeypatch.setattr(dialect.PgConnection, "_pipeline", send_then_lose)
    before = len(win.session.spans)
    win.session.create_span(0, 5, "PER")
    assert win.save_indicator.text() == "⚠ Not saved"
    assert "connection to the server lost" in win.save_indicator.toolTip()
    assert len(win.session.spans) == before  # the view shows what the server has
    monkeypatch.setattr(dialect.PgConnection, "_pipeline", real_pipeline)
    with Project(server) as other:
        assert [s for s in other.spans(1, "alice")] == []
    # the next edit reconnects and is saved
    win.session.create_span(0, 5, "PER")
    assert win.save_indicator.text().startswith("✓ Saved") and len(win.session.spans) == before + 1
    with Project(server) as other:
        assert [s.label for s in other.spans(1, "alice")] == ["PER"]


def test_live_window_says_when_the_listening_connection_is_lost(qtbot, live_window, pg_admin_url):
    win = live_window
    messages: list[str] = []
    win.statusBar().messageChanged.connect(messages.append)
    listener = win.live.thread.listener
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (listener._conn.info.backend_pid,))  # noqa: SLF001
    qtbot.waitUntil(lambda: any("again" in m for m in messages), timeout=5000)
    assert any(m.startswith("Connection to the server lost") for m in messages), messages


def _heard(qtbot, live, kinds: set[str]) -> list:
    """The refreshes ``live`` makes until one answered a notice of each of ``kinds``."""
    batches: list = []
    live.refreshed.connect(batches.append)
    qtbot.waitUntil(lambda: kinds <= {c.kind for b in batches for c in b}, timeout=5000)
    return batches


def test_live_review_window_recomputes_only_for_notices_that_change_agreement(qtbot, server, monkeypatch):
    from annotator.gui.review.window import ReviewWindow
    from tests.demo import TEXT_A, suggestion
    from tests.gui.review_helpers import merged

    with Project(server) as p:
        p.add_span(1, Span(0, 5, "PER"), "alice")
        p.add_span(1, Span(0, 5, "PER"), "bob")
    review = ReviewWindow(server)
    qtbot.addWidget(review)
    review.show()
    with qtbot.waitSignal(review.agreement.computed, timeout=10000):
        pass
    review.open_document(1)
    merged(qtbot, review)
    computes: list[int] = []
    redraws: list[int] = []
    monkeypatch.setattr(review.agreement, "compute", lambda: computes.append(1))
    real_redraw = review.compare.refresh_after_change
    monkeypatch.setattr(review.compare, "refresh_after_change", lambda d: redraws.append(d) or real_redraw(d))
    with Project(server) as other:  # new suggestions, an assignment: neither is anyone's answer
        other.set_suggestions(1, [suggestion(TEXT_A, "Moskwa", "LOC")], suggester="rule2", version="1")
        other.add_assignments([(2, "bob")])
    _heard(qtbot, review.live, {"suggestions", "assignments"})
    assert computes == [] and redraws == []
    with Project(server) as other:  # bob's answer elsewhere: agreement changes; the open document is not his
        other.set_status(2, "bob", "done")
    _heard(qtbot, review.live, {"status"})
    assert computes == [1] and redraws == []
    with Project(server) as other:
        other.add_span(1, Span(6, 11, "LOC"), "bob")
    _heard(qtbot, review.live, {"spans"})
    assert computes == [1, 1] and redraws == [1]
    review.close()


def test_live_suggestions_refilter_the_list_only_when_it_depends_on_them(qtbot, live_window, server, monkeypatch):
    from tests.demo import TEXT_B, suggestion

    win = live_window
    docs = win.documents
    refilters: list[int] = []
    real_apply = docs.apply_filters
    monkeypatch.setattr(docs, "apply_filters", lambda: refilters.append(1) or real_apply())
    with Project(server) as other:
        other.set_suggestions(2, [suggestion(TEXT_B, "Prabowo", "PER")], suggester="rule2", version="1")
    _heard(qtbot, win.live, {"suggestions"})
    assert refilters == []  # the list does not depend on suggestions: only document 2's row is read again
    docs.sugg_filter.setCurrentIndex(docs.sugg_filter.findData(True))
    assert docs.ids() == [1, 2, 3]
    refilters.clear()
    with Project(server) as other:
        other.set_suggestions(2, [], suggester="rule2", version="2")
    _heard(qtbot, win.live, {"suggestions"})
    assert refilters == [1] and docs.ids() == [1, 3]  # filtered by suggestions: read again
