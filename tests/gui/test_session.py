"""The session, the Qt adapter of the editor: the undo stack (one step per edit, across
documents, merged typing, failed writes), the signals the views hear, selection and time.
The editing rules themselves are tested without Qt in tests/editing."""

from __future__ import annotations

import pytest

from annotator.editing import SPAN, SUGGESTION
from annotator.gui.session import Session
from annotator.store import Project
from tests.gui.conftest import TEXT_A, TEXT_B, find

pytestmark = pytest.mark.gui


@pytest.fixture
def session(qapp, demo_project: Project) -> Session:
    s = Session(demo_project, "ani")
    s.open_document(1)
    return s


def stored(project: Project, doc: int = 1) -> set[tuple[str, int, int, str]]:
    return {sp.key for sp in project.spans(doc, "ani")}


def sugg_key(s: Session, needle: str) -> tuple[str, int]:
    start, _ = find(s.text, needle)
    return next((SUGGESTION, k) for k, g in s.suggestions.items() if g.start == start)


def test_session_create_span_snaps_to_tokens_and_is_stored(session: Session, demo_project: Project):
    s, _ = find(TEXT_A, "Pertahanan")
    key = session.create_span(s + 3, s + 6, "ORG")  # inside one word
    assert key is not None and key[0] == SPAN
    assert stored(demo_project) == {("entities", s, s + len("Pertahanan"), "ORG")}
    assert session.selected == key


def test_session_undo_redo_create_delete_relabel_keep_logical_ids(session: Session, demo_project: Project):
    s, e = find(TEXT_A, "Menteri Pertahanan")
    key = session.create_span(s, e, "PER")
    session.relabel(key, "ORG")
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    session.reject(key)  # delete
    assert stored(demo_project) == set()
    stack = session.undo_stack
    stack.undo()  # delete undone: the span is stored again under a new row id
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    stack.undo()  # relabel undone must find the re-created row
    assert stored(demo_project) == {("entities", s, e, "PER")}
    stack.undo()
    assert stored(demo_project) == set()
    stack.redo()
    stack.redo()
    stack.redo()
    assert stored(demo_project) == set()
    stack.undo()
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    assert len(session.spans) == 1


def test_session_accept_and_reject_suggestions_with_undo(session: Session, demo_project: Project):
    k = sugg_key(session, "Joko Widodo")
    new = session.accept(k)
    assert new is not None and new[0] == SPAN
    s, e = find(TEXT_A, "Joko Widodo")
    assert stored(demo_project) == {("entities", s, e, "PER")}
    assert k[1] not in session.suggestions
    assert demo_project.suggestion_decisions(1, "ani") == {k[1]: "accepted"}
    r = sugg_key(session, "Moskwa")
    session.reject(r)
    assert demo_project.suggestion_decisions(1, "ani")[r[1]] == "rejected"
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert stored(demo_project) == set()
    assert demo_project.suggestion_decisions(1, "ani") == {}
    assert {k[1], r[1]} <= set(session.suggestions)


def test_session_accept_all_of_a_label_then_all_in_document(session: Session, demo_project: Project):
    assert session.accept_all(label="PER", layer="entities") == 2
    assert {k[3] for k in stored(demo_project)} == {"PER"}
    assert session.accept_all() == 3
    assert len(stored(demo_project)) == 5
    assert not session.suggestions
    session.undo_stack.undo()  # one step undoes the whole accept-all
    assert len(stored(demo_project)) == 2
    assert len(session.suggestions) == 3


def test_session_overlap_refused_in_entities_allowed_in_cues(session: Session, demo_project: Project):
    s, e = find(TEXT_A, "Menteri Pertahanan Rusia")
    session.create_span(s, e, "ORG")
    messages: list[str] = []
    session.message.connect(messages.append)
    ps, pe = find(TEXT_A, "Pertahanan")
    assert session.create_span(ps, pe, "MISC") is None
    assert messages and "may not overlap" in messages[-1]
    session.create_span(s, e, "REPORT", layer="cues")
    session.create_span(ps, pe, "QUOTE", layer="cues")
    assert len(stored(demo_project)) == 3
    # the "Rusia" suggestion inside the new ORG span was rejected with it
    assert all(g.start != find(TEXT_A, "Rusia")[0] for g in session.suggestions.values())


def test_session_move_boundary_by_token_and_by_character(session: Session, demo_project: Project):
    s, e = find(TEXT_A, "Menteri")
    key = session.create_span(s, e, "ORG")
    session.move_boundary(key, "end", 1)
    assert stored(demo_project) == {("entities", s, find(TEXT_A, "Menteri Pertahanan")[1], "ORG")}
    session.move_boundary(key, "end", -1)
    session.move_boundary(key, "end", -1)  # would empty the span: no-op
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    session.move_boundary(key, "start", -1)
    assert stored(demo_project) == {("entities", find(TEXT_A, "bertemu")[0], e, "ORG")}
    session.move_boundary(key, "start", 1, exact=True)
    assert stored(demo_project) == {("entities", find(TEXT_A, "bertemu")[0] + 1, e, "ORG")}


def test_session_undo_after_switching_documents_goes_back(session: Session, demo_project: Project):
    s, e = find(TEXT_A, "Indonesia")
    session.create_span(s, e, "LOC")
    session.open_document(3)
    opened: list[int] = []
    session.documentOpened.connect(opened.append)
    session.undo_stack.undo()
    assert session.doc_id == 1 and opened == [1]
    assert stored(demo_project) == set()
    session.open_document(2)
    session.undo_stack.redo()
    assert session.doc_id == 1
    assert stored(demo_project) == {("entities", s, e, "LOC")}


def test_session_first_edit_marks_in_progress_and_status_is_undoable(session: Session, demo_project: Project):
    assert demo_project.status(1, "ani") == "todo"
    session.accept(sugg_key(session, "Rusia"))
    assert demo_project.status(1, "ani") == "in_progress"
    session.set_status("done")
    assert demo_project.status(1, "ani") == "done"
    assert demo_project.progress("ani") == (1, 3)
    session.undo_stack.undo()
    assert demo_project.status(1, "ani") == "in_progress"


def test_session_changes_survive_reopening_the_project(demo_path, qapp):
    with Project(demo_path) as p:
        s = Session(p, "ani")
        s.open_document(2)
        st, en = find(TEXT_B, "Prabowo")
        s.create_span(st, en, "PER")
        s.set_answer("stance", "NEUTRAL", "Prabowo")
        s.set_status("done")
        s.close()
    with Project(demo_path) as p:
        assert [sp.key for sp in p.spans(2, "ani")] == [("entities", st, en, "PER")]
        assert p.status(2, "ani") == "done"
        s2 = Session(p, "ani")
        s2.open_document(2)
        assert [(i.start, i.end, i.label) for i in s2.items() if i.kind == SPAN] == [(st, en, "PER")]


def test_session_select_next_walks_items_in_reading_order(session: Session):
    first = session.select_next(1)
    assert session.span_text(first) == "Joko Widodo"
    second = session.select_next(1)
    assert session.span_text(second) == "Rusia"
    assert session.span_text(session.select_next(-1)) == "Joko Widodo"


def test_session_failed_write_is_reported_and_leaves_no_undo_step(session: Session, demo_project: Project):
    messages: list[str] = []
    session.message.connect(messages.append)
    k = sugg_key(session, "Moskwa")
    demo_project.set_suggestions(1, [], suggester="test", version="2")  # gone behind the session's back
    assert session.accept(k) is None
    assert messages and messages[-1].startswith("Not saved")
    assert session.undo_stack.count() == 0
    assert not session.suggestions  # re-read from the store

def test_session_publishes_each_change_to_the_views(session: Session, demo_project: Project):
    items: list[tuple[list, list]] = []
    status: list[tuple[int, str]] = []
    answers: list[int] = []
    session.itemsChanged.connect(lambda removed, added: items.append((removed, added)))
    session.statusChanged.connect(lambda doc, state: status.append((doc, state)))
    session.answersChanged.connect(answers.append)
    k = sugg_key(session, "Rusia")
    new = session.accept(k)
    assert items == [([k], [session.item_for(new)])] and status == [(1, "in_progress")]
    session.set_answer("stance", "FAVOR", "Rusia")
    assert answers == [1]
    session.undo_stack.undo()
    session.undo_stack.undo()  # the suggestion comes back where the span was
    assert items[-1][0] == [new] and [i.key for i in items[-1][1]] == [k]
    assert answers == [1, 1] and status == [(1, "in_progress")]  # the first-edit mark is not undone


def test_session_typing_a_note_is_one_undo_step(session: Session, demo_project: Project):
    session.set_answer("stance", "FAVOR", "Rusia")
    for typed in ("w", "wi", "wire", "wire copy"):  # the panel commits at every pause
        session.set_answer("note", typed)
    assert session.undo_stack.count() == 2
    session.undo_stack.undo()
    assert {d.question for d in demo_project.answers(1, "ani")} == {"stance"}
    session.undo_stack.redo()
    assert {d.question: d.value for d in demo_project.answers(1, "ani")}["note"] == "wire copy"


def test_session_reject_selects_the_next_item(session: Session, demo_project: Project):
    joko = sugg_key(session, "Joko Widodo")
    session.select(joko)
    assert session.reject()
    assert session.selected == sugg_key(session, "Rusia")
    assert demo_project.suggestion_decisions(1, "ani") == {joko[1]: "rejected"}


def test_session_time_on_a_document_is_added_to_its_status(session: Session, demo_project: Project,
                                                            monkeypatch: pytest.MonkeyPatch):
    import annotator.gui.session as session_module

    clock = [1000.0]
    monkeypatch.setattr(session_module.time, "monotonic", lambda: clock[0])
    session.open_document(2)  # starts the clock on document 2
    clock[0] += 42.0
    session.open_document(3)  # 42 s go to document 2, its state unchanged
    logged = [e["payload"] for e in demo_project.events(2, "ani") if e["action"] == "set_status"]
    assert logged == [{"state": "todo", "seconds": 42.0}]
    clock[0] += 0.5
    session.close()  # under a second: not worth a write
    assert not [e for e in demo_project.events(3, "ani") if e["action"] == "set_status"]
