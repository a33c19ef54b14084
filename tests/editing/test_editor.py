"""The editing rules on a real project file, without Qt: snapping, the overlap
rule, accepting and rejecting suggestions, logical ids across undo and redo,
answers and status."""

from __future__ import annotations

from annotator.core.model import Span
from annotator.editing import SPAN, SUGGESTION, Edit, Editor, Key, NoEdit, SetAnswer, Steps, accept_all_selection
from annotator.store import Project
from tests.demo import TEXT_A, TEXT_B, find
from tests.editing.conftest import History


def stored(project: Project, doc: int = 1) -> set[tuple[str, int, int, str]]:
    return {sp.key for sp in project.spans(doc, "ani")}


def sugg_key(editor: Editor, needle: str) -> Key:
    start, _ = find(editor.doc.text, needle)
    return next((SUGGESTION, k) for k, g in editor.doc.suggestions.items() if g.start == start)


def test_create_snaps_to_tokens_and_the_change_names_the_new_span(history: History, demo_project: Project):
    s, _ = find(TEXT_A, "Pertahanan")
    change = history.run(history.editor.plan_create(s + 3, s + 6, "ORG", "entities"))  # inside one word
    assert stored(demo_project) == {("entities", s, s + len("Pertahanan"), "ORG")}
    assert change.made is not None and change.made[0] == SPAN
    assert history.editor.doc.item_for(change.made).end == s + len("Pertahanan")


def test_create_exact_keeps_characters_and_spaces_only_is_refused(editor: Editor, history: History,
                                                                  demo_project: Project):
    s, _ = find(TEXT_A, "Pertahanan")
    history.run(editor.plan_create(s, s + 3, "ORG", "entities", exact=True))
    assert stored(demo_project) == {("entities", s, s + 3, "ORG")}
    sp = TEXT_A.index(" ")
    plan = editor.plan_create(sp, sp + 1, "ORG", "entities")
    assert isinstance(plan, NoEdit) and "only spaces" in (plan.message or "")


def test_creating_the_same_span_again_selects_the_existing_one(editor: Editor, history: History):
    s, e = find(TEXT_A, "Indonesia")
    made = history.run(editor.plan_create(s, e, "LOC", "entities")).made
    plan = editor.plan_create(s, e, "LOC", "entities")
    assert plan == NoEdit("That span is already there", made, select=True)


def test_logical_ids_survive_undo_and_redo_of_create_relabel_delete(editor: Editor, history: History,
                                                                    demo_project: Project):
    s, e = find(TEXT_A, "Menteri Pertahanan")
    key = history.run(editor.plan_create(s, e, "PER", "entities")).made
    assert key is not None
    history.run(editor.plan_relabel(key, "ORG"))
    other = history.run(editor.plan_create(*find(TEXT_A, "Indonesia"), "LOC", "entities")).made
    assert other is not None
    history.run(editor.plan_reject(key))  # a span: deleted
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Indonesia"), "LOC")}
    history.undo()  # stored again, under a new row id (a later row exists)
    row = next(sp.id for sp in demo_project.spans(1, "ani") if sp.label == "ORG")
    assert row != key[1] and editor.aliases.real(key[1]) == row
    history.undo()
    history.undo()  # the relabel finds the re-created row through the logical id
    assert stored(demo_project) == {("entities", s, e, "PER")}
    history.undo()
    assert stored(demo_project) == set() and not editor.doc.spans
    history.redo()
    history.redo()
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    assert list(editor.doc.spans) == [key[1]]


def test_accept_and_reject_suggestions_and_their_inverses(editor: Editor, history: History, demo_project: Project):
    k = sugg_key(editor, "Joko Widodo")
    change = history.run(editor.plan_accept(k))
    assert change.removed[0] == k and change.made is not None
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Joko Widodo"), "PER")}
    r = sugg_key(editor, "Moskwa")
    history.run(editor.plan_reject(r))
    assert demo_project.suggestion_decisions(1, "ani") == {k[1]: "accepted", r[1]: "rejected"}
    history.undo()
    history.undo()
    assert stored(demo_project) == set() and demo_project.suggestion_decisions(1, "ani") == {}
    assert {k[1], r[1]} <= set(editor.doc.suggestions)


def test_relabelling_a_suggestion_accepts_it_with_the_new_label(editor: Editor, history: History,
                                                                 demo_project: Project):
    plan = editor.plan_relabel(sugg_key(editor, "Rusia"), "ORG")
    assert isinstance(plan, Edit) and plan.text.startswith("Accept as ORG")
    history.run(plan)
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia"), "ORG")}


def test_accept_all_by_label_then_everything_is_one_step(editor: Editor, history: History, demo_project: Project):
    plan = editor.plan_accept_all(label="PER", layer="entities")
    assert isinstance(plan, Edit) and plan.count == 2
    history.run(plan)
    assert {k[3] for k in stored(demo_project)} == {"PER"}
    history.run(editor.plan_accept_all())
    assert len(stored(demo_project)) == 5 and not editor.doc.suggestions
    assert isinstance(editor.plan_accept_all(), NoEdit)
    history.undo()
    assert len(stored(demo_project)) == 2 and len(editor.doc.suggestions) == 3


def test_accept_all_leaves_what_overlaps_a_span_or_an_earlier_suggestion(demo_project: Project):
    s, e = find(TEXT_A, "Sergei")
    demo_project.add_span(1, Span(s, e, "MISC"), "ani")
    extra = [Span(*find(TEXT_A, "Pertahanan Rusia"), "ORG", origin="rule:x"),  # before "Rusia": taken first
             Span(*find(TEXT_A, "Rusia Sergei"), "ORG", origin="rule:x"),
             Span(*find(TEXT_A, "militer"), "ORG", origin="rule:x")]
    current = demo_project.suggestions(1)
    demo_project.set_suggestions(1, [*current, *extra], suggester="test", version="2")
    editor = Editor(demo_project, "ani")
    editor.open(1)
    chosen, left = accept_all_selection(editor.doc, editor.schema)
    texts = [editor.doc.span_text((SUGGESTION, g)) for g in chosen]
    # "Rusia Sergei" and "Sergei Shoigu" overlap the MISC span, "Rusia" the ORG taken before it
    assert texts == ["Joko Widodo", "Pertahanan Rusia", "Moskwa", "mengatakan", "militer"]
    assert left == 3
    # accepting one label only, nothing of another label is taken: "Rusia" is free then
    chosen, left = accept_all_selection(editor.doc, editor.schema, label="LOC")
    assert [editor.doc.span_text((SUGGESTION, g)) for g in chosen] == ["Rusia", "Moskwa"] and left == 0


def test_overlap_refused_in_entities_allowed_in_cues(editor: Editor, history: History, demo_project: Project):
    s, e = find(TEXT_A, "Menteri Pertahanan Rusia")
    history.run(editor.plan_create(s, e, "ORG", "entities"))
    ps, pe = find(TEXT_A, "Pertahanan")
    plan = editor.plan_create(ps, pe, "MISC", "entities")
    assert isinstance(plan, NoEdit) and "may not overlap" in (plan.message or "")
    history.run(editor.plan_create(s, e, "REPORT", "cues"))
    history.run(editor.plan_create(ps, pe, "QUOTE", "cues"))
    assert len(stored(demo_project)) == 3
    # the "Rusia" suggestion inside the new ORG span was rejected with it
    assert all(g.start != find(TEXT_A, "Rusia")[0] for g in editor.doc.suggestions.values())


def test_accepting_a_suggestion_over_a_span_is_refused(demo_project: Project):
    s, e = find(TEXT_A, "Sergei")
    demo_project.add_span(1, Span(s, e, "MISC"), "ani")  # e.g. imported, or made in another window
    editor = Editor(demo_project, "ani")
    editor.open(1)
    plan = editor.plan_accept(sugg_key(editor, "Sergei Shoigu"))
    assert isinstance(plan, NoEdit) and "Overlaps MISC “Sergei”" in (plan.message or "")


def test_span_over_a_suggestion_rejects_it_in_the_same_step(editor: Editor, history: History,
                                                            demo_project: Project):
    k = sugg_key(editor, "Sergei Shoigu")
    plan = editor.plan_create(*find(TEXT_A, "Rusia Sergei Shoigu"), "PER", "entities")
    assert isinstance(plan, Edit) and isinstance(plan.op, Steps) and len(plan.op.ops) == 3  # two rejects, one add
    history.run(plan)
    assert k[1] not in editor.doc.suggestions
    assert demo_project.suggestion_decisions(1, "ani").get(k[1]) == "rejected"
    history.undo()
    assert k[1] in editor.doc.suggestions and k[1] not in demo_project.suggestion_decisions(1, "ani")


def test_same_extent_and_label_as_a_suggestion_accepts_it(editor: Editor, history: History, demo_project: Project):
    k = sugg_key(editor, "Moskwa")
    history.run(editor.plan_create(*find(TEXT_A, "Moskwa"), "LOC", "entities"))
    assert demo_project.suggestion_decisions(1, "ani") == {k[1]: "accepted"}
    assert demo_project.spans(1, "ani")[0].origin == "rule:test"


def test_boundary_steps_by_token_and_by_character(editor: Editor, history: History, demo_project: Project):
    s, e = find(TEXT_A, "Menteri")
    key = history.run(editor.plan_create(s, e, "ORG", "entities")).made
    assert key is not None

    def step(which: str, direction: int, exact: bool = False) -> None:
        extent = editor.boundary_step(key, which, direction, exact=exact)
        assert extent is not None
        plan = editor.plan_extent(key, *extent)
        if isinstance(plan, Edit):
            history.run(plan)

    step("end", 1)
    assert stored(demo_project) == {("entities", s, find(TEXT_A, "Menteri Pertahanan")[1], "ORG")}
    step("end", -1)
    step("end", -1)  # would empty the span: no edit
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    step("start", -1)
    assert stored(demo_project) == {("entities", find(TEXT_A, "bertemu")[0], e, "ORG")}
    step("start", 1, exact=True)
    assert stored(demo_project) == {("entities", find(TEXT_A, "bertemu")[0] + 1, e, "ORG")}


def test_resizing_a_suggestion_accepts_it_resized_and_undo_and_redo_keep_the_size(
        editor: Editor, history: History, demo_project: Project):
    k = sugg_key(editor, "Sergei Shoigu")
    extent = editor.boundary_step(k, "start", -1)
    assert extent == find(TEXT_A, "Rusia Sergei Shoigu")
    history.run(editor.plan_extent(k, *extent))
    assert stored(demo_project) == {("entities", *extent, "PER")}
    assert all(g.start != find(TEXT_A, "Rusia")[0] for g in editor.doc.suggestions.values())  # covered: rejected
    history.undo()
    assert stored(demo_project) == set() and len(editor.doc.suggestions) == 5
    history.redo()
    assert stored(demo_project) == {("entities", *extent, "PER")}


def test_resizing_a_stored_span_keeps_its_note_and_rejects_what_it_newly_covers(demo_project: Project):
    s, e = find(TEXT_A, "Sergei Shoigu")
    demo_project.add_span(1, Span(s, e, "PER", note="checked"), "ani")
    editor = Editor(demo_project, "ani")
    editor.open(1)
    history = History(editor)
    (key,) = [k for k in editor.doc.ordered_keys() if k[0] == SPAN]
    history.run(editor.plan_relabel(key, "ORG"))
    history.run(editor.plan_reject(key))
    history.undo()
    history.undo()
    assert stored(demo_project) == {("entities", s, e, "PER")}
    assert demo_project.spans(1, "ani")[0].note == "checked"
    rusia = sugg_key(editor, "Rusia")
    history.run(editor.plan_extent(key, *find(TEXT_A, "Rusia Sergei Shoigu")))
    assert demo_project.suggestion_decisions(1, "ani") == {rusia[1]: "rejected"}
    history.undo()
    assert rusia[1] in editor.doc.suggestions and demo_project.suggestion_decisions(1, "ani") == {}


def test_first_edit_marks_in_progress_and_status_is_undoable(editor: Editor, history: History,
                                                             demo_project: Project):
    assert demo_project.status(1, "ani") == "todo"
    change = history.run(editor.plan_accept(sugg_key(editor, "Rusia")))
    assert change.status == "in_progress" and demo_project.status(1, "ani") == "in_progress"
    assert history.run(editor.plan_status("done")).status == "done"
    assert demo_project.progress("ani") == (1, 3)
    assert isinstance(editor.plan_status("done"), NoEdit)
    assert history.undo().status == "in_progress"
    assert demo_project.status(1, "ani") == "in_progress"


def test_answers_with_target_undo_to_what_was_there(editor: Editor, history: History, demo_project: Project):
    assert "Joko Widodo" in editor.doc.entity_texts("entities")
    assert history.run(editor.plan_answer("stance", "FAVOR", "Joko Widodo")).answers
    history.run(editor.plan_answer("note", "wire copy"))
    assert isinstance(editor.plan_answer("note", "wire copy"), NoEdit)
    plan = editor.plan_answer("note", "wire copy, checked")
    assert isinstance(plan, Edit) and plan.merge == "answer:note"  # free text: typing folds into one step
    history.run(editor.plan_answer("stance", "AGAINST", "Joko Widodo"))
    history.undo()
    history.undo()
    labels = {d.question: (d.value, d.target) for d in demo_project.answers(1, "ani")}
    assert labels == {"stance": ("FAVOR", "Joko Widodo")}
    history.redo()
    assert {d.question: d.value for d in demo_project.answers(1, "ani")} == {"stance": "FAVOR", "note": "wire copy"}


def test_the_inverse_of_many_writes_restores_the_first_state(editor: Editor, demo_project: Project):
    # what a merged undo step relies on: the first write's inverse undoes them all
    first, _r, _a = editor.apply(SetAnswer("note", "w"))
    editor.apply(SetAnswer("note", "wi"))
    editor.apply(SetAnswer("note", "wire"))
    redo, _r, _a = editor.apply(first.inverse)
    assert demo_project.answers(1, "ani") == []
    editor.apply(redo.inverse)
    assert [d.value for d in demo_project.answers(1, "ani")] == ["wire"]


def test_the_editor_is_blind_to_other_annotators(demo_project: Project):
    demo_project.add_span(1, Span(0, 8, "PER"), "budi")
    editor = Editor(demo_project, "ani")
    editor.open(1)
    assert not editor.doc.spans and len(editor.doc.suggestions) == 5


def test_undo_after_the_suggestions_were_replaced_removes_the_span(editor: Editor, history: History,
                                                                   demo_project: Project):
    history.run(editor.plan_accept(sugg_key(editor, "Moskwa")))
    demo_project.set_suggestions(1, [], suggester="test", version="2")  # a new suggester run
    editor.reload()
    history.undo()
    assert stored(demo_project) == set() and not editor.doc.suggestions


def test_items_carry_utf16_offsets_of_text_outside_the_bmp(demo_project: Project):
    editor = Editor(demo_project, "ani")
    editor.open(2)
    history = History(editor)
    s, e = find(TEXT_B, "Prabowo")
    key = history.run(editor.plan_create(s, e, "PER", "entities")).made
    assert key is not None
    item = editor.doc.item_for(key)
    assert item is not None and (item.start16, item.end16) == (s + 3, e + 3)  # flag: 2 astral, thumbs up: 1
    assert editor.doc.items() == [item]
