"""Label Studio JSON tasks: export and import.

One task per document::

    {"id": 1, "data": {"text": "...", "title": "...", "meta": {...}},
     "annotations": [{"id": 1, "annotator": "ana", "was_cancelled": false, "ground_truth": false,
                      "result": [{"id": "r1", "from_name": "entities", "to_name": "text", "type": "labels",
                                  "origin": "manual",
                                  "value": {"start": 0, "end": 6, "text": "Jokowi", "labels": ["PER"]}},
                                 {"from_name": "stance", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["AGAINST"]}}]}],
     "predictions": [{"model_version": "rule:gazetteer", "score": 0.8, "result": [...]}]}

``from_name`` is the layer (``entities``, ``cues``) or the question; a
question's target is a ``textarea`` result named ``QUESTION_target``.
Offsets are code points (Label Studio's fixed behaviour); on import a
result whose ``value.text`` does not match is tried as UTF-16 offsets (what
older Label Studio versions wrote after an emoji) before it is refused.
Names and statuses (docs/peers.md): the writer never sets ``completed_by``
(Label Studio refuses a whole file naming a non-member); each annotation
keeps ``annotator`` for our own reader, and the task's ``meta.annotator``
maps each annotation id to ``{"annotator", "status"}``, which Label Studio
keeps (the id comes back as ``import_id``).  Reading, the name is
``annotator``, else that map, else ``completed_by`` (an email or username;
a bare id becomes ``user<N>``); ``ground_truth: true`` is gold; the status
is ``skipped`` for ``was_cancelled``, else the carried one, else ``done``
(a submitted Label Studio annotation is finished work).  Predictions listed
by id only (the default JSON export) are counted in a warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import InputError, detail
from annotator.core.model import GOLD, Document, Span
from annotator.core.offsets import Utf16Map
from annotator.core.relations import RelationRecord
from annotator.formats.base import ImportRecord, ReadOptions, read_text_file, register_reader, warn
from annotator.formats.export import ExportContext, ExportRecord, register_writer
from annotator.formats.labels import map_label
from annotator.formats.relations import aligned_ends, by_id, span_key
from annotator.formats.spacy_format import document_user_data

#: Key of the task's ``meta`` holding ``{annotation id: {"annotator", "status"}}``.
META_KEY = "annotator"


def _result(span: Span, text: str, rid: str, score: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": rid, "from_name": span.layer, "to_name": "text", "type": "labels",
        "origin": "manual" if span.origin == "human" else "prediction",
        "value": {"start": span.start, "end": span.end, "text": text[span.start : span.end], "labels": [span.label]},
    }
    if score and span.score is not None:
        item["score"] = span.score
    return item


def _task(recs: list[ExportRecord], ctx: ExportContext, number: int) -> dict[str, Any]:
    doc = recs[0].document
    info = document_user_data(doc)
    task_id = info.pop("id") or number
    data = {"text": doc.text, **{k: v for k, v in info.items() if v not in ("", None, {})}}
    task: dict[str, Any] = {"id": task_id, "data": data, "annotations": [], "predictions": []}
    people: dict[str, dict[str, str]] = {}
    for a_i, rec in enumerate(recs, start=1):
        if rec.annotator is None:
            continue
        result = []
        r = 0
        rids: dict[tuple[str, int, int, str], str] = {}
        for spans in ctx.layer_spans(rec).values():
            for s in spans:
                r += 1
                rids[span_key(s)] = f"{task_id}-{a_i}-{r}"
                result.append(_result(s, doc.text, rids[span_key(s)]))
        result += [{"from_id": h, "to_id": c, "type": "relation", "direction": "right", "labels": [rel.label]}
                   for rel, h, c in aligned_ends(rec.relations, rids, ctx)]
        for q, (value, target) in rec.answers.items():
            question = ctx.schema.question(q)
            if question.free_text:
                result.append({"id": f"{task_id}-{a_i}-{q}", "from_name": q, "to_name": "text", "type": "textarea",
                               "origin": "manual", "value": {"text": [value]}})
            else:
                result.append({"id": f"{task_id}-{a_i}-{q}", "from_name": q, "to_name": "text", "type": "choices",
                               "origin": "manual", "value": {"choices": [value]}})
            if target:
                result.append({"id": f"{task_id}-{a_i}-{q}-target", "from_name": f"{q}_target", "to_name": "text",
                               "type": "textarea", "origin": "manual", "value": {"text": [target]}})
        ann_id = number * 1000 + a_i
        ann: dict[str, Any] = {
            "id": ann_id, "annotator": rec.annotator, "result": result,
            "was_cancelled": rec.status == "skipped", "ground_truth": rec.annotator == GOLD,
        }
        # No completed_by: Label Studio refuses the whole file (HTTP 400, "Unknown annotator's
        # email") when it names someone who is not a member there, and credits the importing
        # user instead.  It drops the annotation's own extra keys but keeps the task's "meta"
        # and each annotation's id as "import_id", so names and statuses travel in the task.
        people[str(ann_id)] = {"annotator": rec.annotator, "status": rec.status}
        task["annotations"].append(ann)
    if people:
        task["meta"] = {META_KEY: people}
    sugg = recs[0].suggestions
    by_origin: dict[str, list[Span]] = {}
    for layer_spans in ctx.layer_spans(recs[0], sugg).values():
        for s in layer_spans:
            by_origin.setdefault(s.origin, []).append(s)
    for p_i, (origin, spans) in enumerate(sorted(by_origin.items()), start=1):
        scores = [s.score for s in spans if s.score is not None]
        pred: dict[str, Any] = {
            "model_version": origin,
            "result": [_result(s, doc.text, f"{task_id}-p{p_i}-{k}", score=True) for k, s in enumerate(spans, 1)],
        }
        if scores:
            pred["score"] = sum(scores) / len(scores)
        task["predictions"].append(pred)
    return task


@register_writer("labelstudio", ".json", all_annotators_default=True, own_suggestions=True,
                 description="Label Studio tasks: annotations per annotator, suggestions as predictions")
def write_labelstudio(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write a JSON list of tasks to ``out``, streaming one task at a time."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[")
        group: list[ExportRecord] = []
        number = 0

        def flush() -> None:
            nonlocal number
            if group:
                number += 1
                fh.write(("\n" if number == 1 else ",\n") + json.dumps(_task(group, ctx, number), ensure_ascii=False))
                group.clear()

        for rec in records:
            if group and rec.document.id != group[0].document.id:
                flush()
            group.append(rec)
        flush()
        fh.write("\n]\n")


def labelstudio_config(schema: Any) -> str:
    """A Label Studio labeling config (XML) matching the exported tasks."""
    lines = ["<View>", '  <Text name="text" value="$text"/>']
    for layer in schema.layers:
        lines.append(f'  <Labels name="{layer.name}" toName="text">')
        lines += [f'    <Label value="{lab.name}" background="{lab.colour}"/>' for lab in layer.labels]
        lines.append("  </Labels>")
    if schema.relations:
        lines.append("  <Relations>")
        lines += [f'    <Relation value="{rt.name}" background="{rt.colour}"/>' for rt in schema.relations]
        lines.append("  </Relations>")
    for q in schema.questions:
        if q.free_text:
            lines.append(f'  <TextArea name="{q.name}" toName="text"/>')
            continue
        lines.append(f'  <Choices name="{q.name}" toName="text" choice="single">')
        lines += [f'    <Choice value="{v}"/>' for v in q.values]
        lines.append("  </Choices>")
        if q.target:
            lines.append(f'  <TextArea name="{q.name}_target" toName="text"/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"


# -- reading --------------------------------------------------------------------------------


def _who(completed_by: Any, fallback: str | None) -> str | None:
    if isinstance(completed_by, dict):
        for key in ("email", "username", "first_name", "id"):
            if completed_by.get(key):
                value = completed_by[key]
                return f"user{value}" if key == "id" else str(value)
        return fallback
    if isinstance(completed_by, bool) or completed_by is None:
        return fallback
    if isinstance(completed_by, int):
        return f"user{completed_by}"
    return str(completed_by) or fallback


def _offsets(value: dict[str, Any], text: str, u16: Utf16Map | None) -> tuple[int, int] | None:
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    want = value.get("text")
    if want is None or text[start:end] == want:
        return start, end
    if u16 is not None:
        s2, e2 = u16.to_codepoint(start), u16.to_codepoint(end)
        if text[s2:e2] == want:
            return s2, e2
    return None


def _annotation(ann: dict[str, Any], text: str, schema: Any, path: Path, t_i: int, u16: Utf16Map | None,
                skipped: dict[str, int]) -> tuple[list[Span], dict[str, tuple[str, str | None]]]:
    spans: list[Span] = []
    answers: dict[str, tuple[str, str | None]] = {}
    targets: dict[str, str] = {}
    questions = {q.name for q in schema.questions}
    for item in ann.get("result") or []:
        if not isinstance(item, dict):
            continue
        kind, name, value = item.get("type"), str(item.get("from_name", "")), item.get("value") or {}
        if kind == "labels":
            where = _offsets(value, text, u16)
            if where is None:
                raise InputError(
                    f"task {t_i}: result {item.get('id')!r} offsets {value.get('start')}-{value.get('end')} "
                    f"do not match its text {value.get('text')!r}", path)
            layer = name if name in schema.layer_names else "entities"
            for lab in value.get("labels") or []:
                mapped = map_label(schema, layer, str(lab))
                if mapped is None:
                    raise InputError(f"task {t_i}: label {lab!r} is not in layer {layer!r} of the schema", path)
                spans.append(Span(where[0], where[1], mapped, layer))
        elif kind == "choices" and name in questions and value.get("choices"):
            answers[name] = (str(value["choices"][0]), None)
        elif kind == "textarea" and value.get("text"):
            if name.endswith("_target") and name[: -len("_target")] in questions:
                targets[name[: -len("_target")]] = str(value["text"][0])
            elif name in questions:
                answers[name] = (str(value["text"][0]), None)
            else:
                skipped[f"textarea {name!r}"] = skipped.get(f"textarea {name!r}", 0) + 1
        elif kind == "relation" and {str(x) for x in item.get("labels") or []} & {r.name for r in schema.relations}:
            continue  # read by _relations (after the spans); one with no label of the schema is counted below
        else:
            what = f"{kind} {name!r}" if kind in ("choices", "textarea") else str(kind)
            skipped[what] = skipped.get(what, 0) + 1
    for q, t in targets.items():
        if q in answers:
            answers[q] = (answers[q][0], t)
    for q, (v, _t) in answers.items():
        try:
            schema.check_answer(q, v)
        except ValueError as exc:
            raise InputError(f"task {t_i}: {detail(exc)}", path) from exc
    return spans, answers


def _carried(task: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{annotation id: {"annotator", "status"}}`` the writer put in the task's meta."""
    meta = task.get("meta")
    people = meta.get(META_KEY) if isinstance(meta, dict) else None
    if not isinstance(people, dict):
        return {}
    return {str(k): v for k, v in people.items() if isinstance(v, dict)}


def _status(ann: dict[str, Any], carried: dict[str, Any]) -> str | None:
    """The rule (docs/peers.md): cancelled is skipped; else the status the writer
    carried in the task's meta; else a submitted annotation is done.  ``todo``
    gives None (nothing to store)."""
    if ann.get("was_cancelled"):
        return "skipped"
    old = ann.get("meta") if isinstance(ann.get("meta"), dict) else {}
    status = carried.get("status") or old.get("status") or "done"
    return None if status == "todo" else str(status)


def _relations(ann: dict[str, Any], spans: list[Span], text: str, schema: Any, u16: Utf16Map | None, path: Path,
               t_i: int) -> list[RelationRecord]:
    """The ``relation`` results of an annotation between its ``labels`` results (by result id)."""
    items = [i for i in ann.get("result") or [] if isinstance(i, dict)]
    if not any(i.get("type") == "relation" for i in items):
        return []
    by_rid: dict[Any, Span] = {}
    for item in items:
        if item.get("type") == "labels" and "id" in item:
            where = _offsets(item.get("value") or {}, text, u16)
            layer = str(item.get("from_name", ""))
            layer = layer if layer in schema.layer_names else "entities"
            found = [s for s in spans if where is not None and (s.start, s.end, s.layer) == (*where, layer)]
            if found:
                by_rid[item["id"]] = found[0]
    names = {rt.name for rt in schema.relations}
    triples = [(lab, i.get("from_id"), i.get("to_id")) for i in items if i.get("type") == "relation"
               for lab in (i.get("labels") or []) if lab in names]
    return by_id(triples, by_rid, path, None, f"task {t_i}: relation")


@register_reader("labelstudio", (".json",))
def read_labelstudio(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read Label Studio tasks: one record per (task, annotation); a task with
    none gives its document only.  Predictions become suggestions of the
    suggester named by their ``model_version``."""
    try:
        data = json.loads(read_text_file(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"broken JSON ({exc.msg})", path, exc.lineno) from exc
    tasks = data if isinstance(data, list) else [data]
    schema = options.schema
    records: list[ImportRecord] = []
    n_pred = n_pred_ids = n_gold = 0
    skipped: dict[str, int] = {}
    for t_i, task in enumerate(tasks, start=1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise InputError(f"task {t_i}: not a Label Studio task (no \"data\" object)", path)
        d = task["data"]
        text = d.get("text")
        if not isinstance(text, str):
            text = next((v for v in d.values() if isinstance(v, str) and v.strip()), None)
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"task {t_i}: no text in \"data\"", path)
        u16 = Utf16Map(text)
        u16 = None if u16.is_identity else u16
        fields = {k: str(d[k]) for k in ("title", "source", "url", "published", "language") if d.get(k)}
        meta = dict(d.get("meta") or {}) if isinstance(d.get("meta"), dict) else {}
        meta.setdefault("file", path.name)
        doc = Document(text=text, meta=meta, **fields)
        anns = [a for a in task.get("annotations") or task.get("completions") or [] if isinstance(a, dict)]
        suggestions: list[Span] = []
        for pred in task.get("predictions") or []:
            if isinstance(pred, int) and not isinstance(pred, bool):
                n_pred_ids += 1  # Label Studio's default JSON export: an id, not the prediction
                continue
            if not isinstance(pred, dict):
                continue
            version = str(pred.get("model_version") or "prediction")
            items_scored = any(isinstance(i, dict) and "score" in i for i in pred.get("result") or [])
            origin = version if ":" in version else f"labelstudio:{version}"
            for item in pred.get("result") or []:
                if not isinstance(item, dict) or item.get("type") != "labels":
                    continue
                value = item.get("value") or {}
                where = _offsets(value, text, u16)
                layer = str(item.get("from_name", ""))
                layer = layer if layer in schema.layer_names else "entities"
                labs = [map_label(schema, layer, str(x)) for x in value.get("labels") or []]
                if where is None or None in labs:
                    n_pred += 1  # a prediction that does not fit: counted, not imported
                    continue
                # a result's own score; the prediction's only when no result has one
                score = item.get("score") if items_scored else pred.get("score")
                suggestions += [Span(where[0], where[1], lab, layer, origin=origin, score=score) for lab in labs]
        if not anns:
            records.append(ImportRecord(doc, line=t_i, clean=False, suggestions=suggestions))
            continue
        carried = _carried(task)
        gold_taken = False
        for ann in anns:
            spans, answers = _annotation(ann, text, schema, path, t_i, u16, skipped)
            mine = carried.get(str(ann.get("import_id") or ann.get("id"))) or {}
            name = ann.get("annotator") or mine.get("annotator")
            name = str(name) if name else _who(ann.get("completed_by"), options.annotator)
            if ann.get("ground_truth") is True and not gold_taken:
                # Label Studio's ground truth is our gold (what the writer marks); one per task
                gold_taken = True
                if name != GOLD:
                    n_gold += 1
                    name = GOLD
            records.append(ImportRecord(
                doc, annotator=name, spans=spans, answers=answers, status=_status(ann, mine),
                relations=_relations(ann, spans, text, schema, u16, path, t_i),
                line=t_i, clean=False, suggestions=suggestions if ann is anns[0] else [],
            ))
    for what, n in sorted(skipped.items()):
        warn(f"{path}: {n} result(s) of type {what} not imported (no such layer or question in the schema)")
    if n_pred:
        warn(f"{path}: {n_pred} prediction result(s) did not fit the text or the schema and were not imported")
    if n_pred_ids:
        warn(f"{path}: {n_pred_ids} prediction(s) are listed by id only (Label Studio's default JSON export) "
             "and were not imported; to bring suggestions back, export a snapshot with full predictions "
             "(POST /api/projects/ID/exports with serialization_options.predictions.only_id=false; see docs/peers.md)")
    if n_gold:
        warn(f"{path}: {n_gold} annotation(s) marked ground_truth imported as annotator {GOLD!r}")
    if not records:
        raise InputError("no tasks in file", path)
    return iter(records)
