"""Windows on a server project hear other sessions' changes and refresh without reopening.

A :class:`ListenThread` waits on the store's :class:`~annotator.store.live.ChangeListener`
(its own connection) and hands each burst of notices to the GUI thread.  :class:`LiveUpdates`
gathers them for a moment (a teammate's accept-all is one refresh, not hundreds), leaves out
the window's own changes (the notice names the server session that wrote) and calls the
window's refresh.  A lost listening connection is said in the status bar and retried by the
listener; once back, everything is re-read (notices sent meanwhile are gone).

``install_live(window)`` wires the annotation workspace (document list, progress, the open
document); ``install_live_review(window)`` the review window (agreement, comparison).  Each
kind of notice refreshes only what it can change (:func:`list_kinds`, :data:`AGREEMENT_KINDS`,
:data:`COMPARE_KINDS`).  A project file has no notices: both return None.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal

from annotator.store.live import Change, ChangeListener

#: Kinds of change that may alter what the open document shows (answers are left alone: the
#: panel may hold a note being typed; they are read again when the document is opened).
DOCUMENT_KINDS = {"spans", "suggestions", "decisions", "relations", "kb"}
#: Kinds after which the document list itself (which documents, in what order) is read again,
#: whatever its filters (:func:`list_kinds` adds those that only some filters depend on).
LIST_KINDS = {"documents", "assignments", "many", "reconnected", "other", "settings"}
#: Kinds that can change the review window's agreement figures (suggestions, decisions on them
#: and assignments cannot: agreement compares what the annotators marked and answered).
AGREEMENT_KINDS = {"spans", "answers", "status", "relations", "kb", "documents", "annotators", "settings",
                   "many", "reconnected", "other"}
#: Kinds that can change what the comparison view shows of its document.
COMPARE_KINDS = {"spans", "answers", "status", "relations", "kb", "documents", "many", "reconnected", "other"}


def list_kinds(docs: Any) -> set[str]:
    """The kinds of change that can alter which documents the workspace's list ``docs`` shows and
    in what order: :data:`LIST_KINDS`, with ``suggestions`` while the list is filtered by
    suggestions or ordered most useful first (by their scores), ``status`` while it is filtered by
    state.  Otherwise such a notice re-reads only its document's row."""
    kinds = set(LIST_KINDS)
    if docs.sugg_filter.currentData() is not None or docs.model.order == "uncertain":
        kinds.add("suggestions")
    if docs.state_filter.currentData() is not None:
        kinds.add("status")
    return kinds


class ListenThread(QThread):
    """Waits for notices in the background; ``changes(list[Change])`` in the GUI thread."""

    changes = Signal(object)

    def __init__(self, listener: ChangeListener, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listener = listener

    def run(self) -> None:  # noqa: D102 - QThread API
        while not self.isInterruptionRequested():
            got = self.listener.wait(0.25)
            if got:
                self.changes.emit(got)
        self.listener.close()

    def stop(self) -> None:
        """Stop listening (returns within a quarter of a second)."""
        self.requestInterruption()
        self.wait(3000)


class LiveUpdates(QObject):
    """Collects other sessions' changes and calls ``refresh(changes)`` after ``delay_ms`` of quiet
    (at most ``max_wait_ms`` after the first); ``status(text)`` reports the connection."""

    refreshed = Signal(object)  # the changes a refresh answered (tests, the benchmark)

    def __init__(self, listener: ChangeListener, own_pid: Callable[[], int | None],
                 refresh: Callable[[list[Change]], None], status: Callable[[str], None],
                 parent: QObject | None = None, *, delay_ms: int = 200, max_wait_ms: int = 1000) -> None:
        super().__init__(parent)
        self._own_pid = own_pid
        self._refresh = refresh
        self._status = status
        self._pending: list[Change] = []
        self._paused = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._flush)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max_wait_ms)
        self._deadline.timeout.connect(self._flush)
        self.thread = ListenThread(listener, self)
        self.thread.changes.connect(self._on_changes)
        self.thread.start()

    def _on_changes(self, changes: list[Change]) -> None:
        if self._paused:  # closing: what it would refresh may be gone
            return
        own = self._own_pid()
        mine = [c for c in changes if c.kind not in ("lost", "reconnected") and c.pid and c.pid == own]
        news = [c for c in changes if c not in mine]
        if any(c.kind == "lost" for c in news):
            self._status("Connection to the server lost: other sessions' changes will show when it is back; "
                         "retrying…")
        if any(c.kind == "reconnected" for c in news):
            self._status("Connected to the server again: showing what changed meanwhile")
        news = [c for c in news if c.kind != "lost"]
        if not news:
            return
        self._pending += news
        self._timer.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def _flush(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        if self._paused:
            return
        changes, self._pending = self._pending, []
        if changes:
            self._refresh(changes)
            self.refreshed.emit(changes)

    def pause(self, paused: bool = True) -> None:
        """Hold refreshes (the window is closing; it may yet stay open) or let them go again."""
        self._paused = paused
        if paused:
            self._timer.stop()
            self._deadline.stop()
        elif self._pending:
            self._timer.start()

    def shutdown(self) -> None:
        """Stop listening (the window is closing)."""
        self.pause()
        self.thread.stop()


class _CloseWatcher(QObject):
    """Stops a window's :class:`LiveUpdates` when the window closes."""

    def __init__(self, live: LiveUpdates, window: Any) -> None:
        super().__init__(window)
        self._live = live
        self._window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Close:
            # nothing refreshes while the window closes (its project may close with it); a close
            # the window refuses (a note not saved) resumes, a done one stops the listener
            if self._window.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
                self._live.shutdown()  # the thread must end before the window deletes it
            else:
                self._live.pause()
                QTimer.singleShot(0, self._after_close)
        return False

    def _after_close(self) -> None:
        if self._window.isVisible():
            self._live.pause(False)
        else:
            self._live.shutdown()


def _start(window: Any, project: Any, refresh: Callable[[list[Change]], None]) -> LiveUpdates | None:
    try:
        listener = project.change_listener()
    except Exception as exc:  # noqa: BLE001 - the workspace works without live updates; say so
        window.statusBar().showMessage(f"Other sessions' changes will not show until reopened: {exc}", 10000)
        return None
    if listener is None:
        return None
    live = LiveUpdates(listener, lambda: project.session_pid, refresh,
                       lambda text: window.statusBar().showMessage(text, 10000), window)
    _CloseWatcher(live, window)
    return live


def _items(spans: Any) -> list[tuple[Any, ...]]:
    return sorted((s.layer, s.start, s.end, s.label) for s in spans)


def _shown_differs(window: Any, doc_id: int) -> bool:
    """True when the store holds other spans or pending suggestions for this annotator than the
    open document shows (in blind mode most notices are about other annotators' work: reloading
    for them would only move the reader's selection)."""
    from annotator.gui.doc_query import load_pending_suggestions, load_spans

    session, project = window.session, window.project
    return (_items(load_spans(project, doc_id, window.annotator)) != _items(session.spans.values())
            or _items(load_pending_suggestions(project, doc_id, window.annotator))
            != _items(session.suggestions.values()))


def install_live(window: Any) -> LiveUpdates | None:
    """Refresh the workspace's document list, progress and open document on other sessions' changes."""

    def refresh(changes: list[Change]) -> None:
        docs = window.documents
        kinds = {c.kind for c in changes}
        if kinds & list_kinds(docs):
            if kinds & {"documents", "many", "reconnected", "other"}:
                docs.fill_sources()
            docs.apply_filters()
        else:
            for doc_id in {c.document_id for c in changes if c.document_id is not None}:
                if docs.model.row_of(doc_id) is not None:
                    docs.model.refresh_document(doc_id)
        docs.update_progress()
        open_doc = window.session.doc_id
        # the workspace shows the reader's own work: a named teammate's edit (blind mode off)
        # cannot change it, so only unnamed (blind) notices and the reader's own are checked
        touched = {c.document_id for c in changes
                   if c.kind in DOCUMENT_KINDS and c.annotator in (None, window.annotator)}
        if open_doc is not None and (open_doc in touched or kinds & {"many", "reconnected", "other"}) \
                and _shown_differs(window, open_doc):
            window.session.reload()

    return _start(window, window.project, refresh)


def install_live_review(window: Any) -> LiveUpdates | None:
    """Recompute the review window's agreement and refresh its comparison on other sessions' changes."""

    dirty = [False]

    def recompute_if_dirty(_report: object = None) -> None:
        if dirty[0]:
            dirty[0] = False
            window.agreement.compute()

    def refresh(changes: list[Change]) -> None:
        agreement = window.agreement
        if agreement is not None and any(c.kind in AGREEMENT_KINDS for c in changes):
            # a computation under way finishes first (restarting it on every notice would never
            # show figures while the team works); the next one starts when it reports
            if agreement.task is not None and agreement.task.is_running:
                dirty[0] = True
            else:
                agreement.compute()
        compare = getattr(window, "compare", None)
        if compare is not None and compare.document_id is not None:
            if any(c.kind in COMPARE_KINDS and c.document_id in (None, compare.document_id) for c in changes):
                compare.refresh_after_change(compare.document_id)

    if window.agreement is not None:
        window.agreement.computed.connect(recompute_if_dirty)
    return _start(window, window.project, refresh)
