"""The session: every action stored at once, undoable, overlap rules, ids across undo."""

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


def test_session_create_span_exact_keeps_characters(session: Session, demo_project: Project):
    s, _ = find(TEXT_A, "Pertahanan")
    session.create_span(s, s + 3, "ORG", exact=True)
    assert stored(demo_project) == {("entities", s, s + 3, "ORG")}


def test_session_create_span_on_only_spaces_does_nothing(session: Session, demo_project: Project):
    s = TEXT_A.index(" ")
    assert session.create_span(s, s + 1, "ORG") is None
    assert stored(demo_project) == set()


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


def test_session_accept_as_other_label_by_relabelling_a_suggestion(session: Session, demo_project: Project):
    k = sugg_key(session, "Rusia")
    session.relabel(k, "ORG")
    s, e = find(TEXT_A, "Rusia")
    assert stored(demo_project) == {("entities", s, e, "ORG")}


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


def test_session_accepting_a_suggestion_over_a_span_is_refused(session: Session, demo_project: Project):
    from annotator.core.model import Span

    s, e = find(TEXT_A, "Sergei")
    demo_project.add_span(1, Span(s, e, "MISC"), "ani")  # e.g. imported, or made in another window
    session.reload()
    assert session.accept(sugg_key(session, "Sergei Shoigu")) is None
    assert stored(demo_project) == {("entities", s, e, "MISC")}


def test_session_span_over_suggestion_rejects_it_in_the_same_step(session: Session, demo_project: Project):
    k = sugg_key(session, "Sergei Shoigu")
    s, e = find(TEXT_A, "Rusia Sergei Shoigu")
    session.create_span(s, e, "PER")
    assert k[1] not in session.suggestions
    assert demo_project.suggestion_decisions(1, "ani").get(k[1]) == "rejected"
    session.undo_stack.undo()
    assert k[1] in session.suggestions
    assert k[1] not in demo_project.suggestion_decisions(1, "ani")


def test_session_same_extent_as_suggestion_accepts_it(session: Session, demo_project: Project):
    k = sugg_key(session, "Moskwa")
    s, e = find(TEXT_A, "Moskwa")
    session.create_span(s, e, "LOC")
    assert demo_project.suggestion_decisions(1, "ani") == {k[1]: "accepted"}
    assert demo_project.spans(1, "ani")[0].origin == "rule:test"


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


def test_session_resizing_a_suggestion_accepts_it_resized(session: Session, demo_project: Project):
    k = sugg_key(session, "Sergei Shoigu")
    session.move_boundary(k, "start", -1)
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu"), "PER")}
    # the "Rusia" suggestion it now covers was rejected with it
    assert all(g.start != find(TEXT_A, "Rusia")[0] for g in session.suggestions.values())
    session.undo_stack.undo()
    assert stored(demo_project) == set()
    assert len(session.suggestions) == 5


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


def test_session_answers_stance_with_target_and_note_undoable(session: Session, demo_project: Project):
    assert "Joko Widodo" in session.entity_texts()
    session.set_answer("stance", "FAVOR", "Joko Widodo")
    session.set_answer("note", "wire copy")
    labels = {d.question: (d.value, d.target) for d in demo_project.doc_labels(1, "ani")}
    assert labels == {"stance": ("FAVOR", "Joko Widodo"), "note": ("wire copy", None)}
    session.set_answer("stance", "AGAINST", "Joko Widodo")
    session.undo_stack.undo()
    session.undo_stack.undo()
    labels = {d.question: (d.value, d.target) for d in demo_project.doc_labels(1, "ani")}
    assert labels == {"stance": ("FAVOR", "Joko Widodo")}


def test_session_is_blind_to_other_annotators(demo_project: Project, qapp):
    from annotator.core.model import Span

    demo_project.add_span(1, Span(0, 8, "PER"), "budi")
    s = Session(demo_project, "ani")
    s.open_document(1)
    assert not s.spans
    assert len(s.suggestions) == 5


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


def test_session_undo_after_suggestions_were_replaced_removes_the_span(session: Session, demo_project: Project):
    k = sugg_key(session, "Moskwa")
    session.accept(k)
    demo_project.set_suggestions(1, [], suggester="test", version="2")  # a new suggester run
    session.reload()
    session.undo_stack.undo()
    assert stored(demo_project) == set()
    assert not session.suggestions


def test_session_failed_write_is_reported_and_leaves_no_undo_step(session: Session, demo_project: Project):
    messages: list[str] = []
    session.message.connect(messages.append)
    k = sugg_key(session, "Moskwa")
    demo_project.set_suggestions(1, [], suggester="test", version="2")  # gone behind the session's back
    assert session.accept(k) is None
    assert messages and messages[-1].startswith("Not saved")
    assert session.undo_stack.count() == 0
    assert not session.suggestions  # re-read from the store


def test_session_edits_spans_loaded_from_the_store(demo_project: Project, qapp):
    from annotator.core.model import Span

    s, e = find(TEXT_A, "Sergei Shoigu")
    demo_project.add_span(1, Span(s, e, "PER", note="checked"), "ani")
    session = Session(demo_project, "ani")
    session.open_document(1)
    (key,) = [k for k in session.ordered_keys() if k[0] == SPAN]
    session.relabel(key, "ORG")
    session.reject(key)  # delete
    assert stored(demo_project) == set()
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert stored(demo_project) == {("entities", s, e, "PER")}
    assert demo_project.spans(1, "ani")[0].note == "checked"
    rusia = sugg_key(session, "Rusia")
    session.move_boundary(key, "start", -1)
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu"), "PER")}
    assert demo_project.suggestion_decisions(1, "ani") == {rusia[1]: "rejected"}  # covered now
    assert rusia[1] not in session.suggestions
    session.undo_stack.undo()
    assert rusia[1] in session.suggestions and demo_project.suggestion_decisions(1, "ani") == {}
