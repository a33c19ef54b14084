"""The merge as it was when issue 12 was filed (main at a227c96): one loop per document and
annotator in Python, each row read, compared and written by its own store call.

Kept here, not in the package, so ``benchmarks.review_agreement --baseline-documents N`` can
run it on the same generated files in the same process as today's set-wise merge
(:func:`annotator.review.merge.merge_projects`) and report the ratio.  It uses only the
store's public methods (no SQL here) and gives the same report on these files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Sequence

from annotator.core.errors import SchemaError
from annotator.review.assign import PACKAGE_FOR, PACKAGE_OF
from annotator.review.merge import Conflict, MergeReport, SourceReport, _describe_difference, _Work, _work
from annotator.review.transfer import ensure_annotator, project_uid
from annotator.store import Project
from annotator.store.transfer import PortableSpan


def baseline_merge(review_path: str | Path, sources: Sequence[str | Path]) -> MergeReport:
    """Merge ``sources`` into the review project at ``review_path`` the old way (no progress,
    no cancel: a benchmark's reference only)."""
    review_path = Path(review_path)
    schema = None
    if not review_path.exists():
        with Project(sources[0], create=False) as first:
            schema = first.schema
    report = MergeReport(review=str(review_path))
    with Project(review_path, schema=schema) as review:
        review_uid = project_uid(review)
        for src in sources:
            sr = SourceReport(path=str(src))
            report.sources.append(sr)
            with Project(src, create=False) as source:
                _merge_one(review, review_uid, source, project_uid(source), str(src), sr)
        review.log_event("merge", None, None, sources=[s.path for s in report.sources], totals=report.totals())
    return report


def _merge_one(review: Project, review_uid: str, source: Project, suid: str, src_name: str, sr: SourceReport) -> None:
    package_for = source.get_setting(PACKAGE_FOR) if source.get_setting(PACKAGE_OF) == review_uid else None
    bad_labels: Counter[str] = Counter()
    with review.transaction():
        for name in source.annotators():
            ensure_annotator(review, name, source.annotator_role(name) or "annotator")
        for doc_id in source.document_ids():
            new_id, created = review.add_document(source.get_document(doc_id))
            sr.documents += 1
            sr.new_documents += int(created)
            title = review.document_title(new_id)
            skip_events: set[str] = set()
            for ann in source.annotators_on(doc_id):
                theirs = _work(source, doc_id, ann)
                ours = _work(review, new_id, ann)
                owner = review.merge_owner(new_id, ann)
                same = theirs.fingerprint() == ours.fingerprint()
                takes_over = ann == package_for
                if owner is not None and owner[0] == suid or takes_over or ours.empty or (owner is None and same):
                    _sync(review, new_id, ann, ours, theirs, sr, bad_labels)
                    review.set_merge_owner(new_id, ann, suid, src_name)
                elif not same:
                    where = owner[1] if owner is not None else "the review project itself"
                    sr.conflicts.append(Conflict(src_name, ann, new_id, title, where,
                                                 _describe_difference(ours, theirs)))
                    skip_events.add(ann)
            rows = [row for row in source.event_records(doc_id) if row[2] not in skip_events]
            sr.events += review.insert_event_records(rows, new_id, suid)
        sr.events += review.insert_event_records([r for r in source.event_records() if r[3] is None], None, suid)
        links = source.kb_link_rows()
        if links:
            review.kb_put_link_rows(links, source.kb_entries())
    for label, n in sorted(bad_labels.items()):
        sr.problems.append(f"{src_name}: {n} item(s) with {label} not in the review project's schema; left out")


def _sync(review: Project, doc_id: int, ann: str, ours: _Work, theirs: _Work, sr: SourceReport,
          bad: Counter[str]) -> None:
    schema = review.schema
    mine = {s.uid: s for s in ours.spans}
    wanted = {}
    for s in theirs.spans:
        try:
            schema.check_span(s.layer, s.label)
        except SchemaError:
            bad[f"label {s.layer}/{s.label}"] += 1
            continue
        wanted[s.uid] = s
    for uid in mine:
        if uid not in wanted:
            review.delete_span_by_uid(uid)
            sr.spans_removed += 1
    to_insert: list[PortableSpan] = []
    for uid, s in wanted.items():
        if uid in mine:
            m = mine[uid]
            if (m.content, m.origin, m.score, m.note) != (s.content, s.origin, s.score, s.note):
                review.update_portable_span(s)
                sr.spans_updated += 1
        else:
            to_insert.append(s)
    elsewhere = review.span_uid_places([s.uid for s in to_insert])
    for uid, (other_doc, other_ann) in elsewhere.items():
        sr.problems.append(f"{sr.path}: span {uid} is already in the review on document {other_doc} "
                           f"for {other_ann!r}; left out")
    to_insert = [s for s in to_insert if s.uid not in elsewhere]
    review.insert_portable_spans(doc_id, to_insert)
    sr.spans_added += len(to_insert)
    known = {r.name for r in schema.relations}
    mine_rel = {r.uid: r for r in ours.relations}
    wanted_rel = {r.uid: r for r in theirs.relations if r.label in known}
    for uid in mine_rel:
        if uid not in wanted_rel:
            review.delete_relation_by_uid(uid)
            sr.relations += 1
    for uid, r in wanted_rel.items():
        m = mine_rel.get(uid)
        if m is not None and (m.label, m.origin, m.score) != (r.label, r.origin, r.score):
            review.update_portable_relation(r)
            sr.relations += 1
    sr.relations += review.insert_portable_relations(doc_id, [r for u, r in wanted_rel.items() if u not in mine_rel])
    for q in ours.answers:
        if q not in theirs.answers:
            review.delete_answer_record(doc_id, ann, q)
            sr.answers += 1
    for q, (value, target, updated) in theirs.answers.items():
        try:
            schema.check_answer(q, value)
        except SchemaError:
            bad[f"answer {q}={value}"] += 1
            continue
        if ours.answers.get(q, (None, None, None))[:2] != (value, target):
            review.put_answer_record(doc_id, ann, q, value, target, updated)
            sr.answers += 1
    if theirs.status != ours.status:
        review.put_status_record(doc_id, ann, theirs.status)
        if (theirs.status or (None,))[0] != (ours.status or (None,))[0]:
            sr.statuses += 1
