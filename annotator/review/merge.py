"""Merge annotators' project files into one review project (docs/review.md, "Merge").

Rules
    * Documents are matched by content hash; a new text becomes a new document.
    * Each annotator's work on a document (spans, answers, status) is *owned*
      by the file it was first merged from (table ``merge_owners``, keyed by the
      source's ``project_uid`` setting, so a moved or renamed file is still
      recognised).  Merging the owner again **syncs**: new spans are added,
      changed ones updated, spans the annotator deleted are removed, answers and
      status follow.  Spans and events keep their ``uid``, so nothing is ever
      added twice and the merge can be re-run as often as wanted.
    * A package exported from this review project for an annotator
      (:func:`annotator.review.assign.export_package`) is that annotator's
      continuation of their work: it takes ownership of their documents.
    * Another file holding *different* work under the same annotator name on
      the same document is a **conflict**: it is reported and the review keeps
      what it has.  Identical work is not a conflict.
    * Events are copied by uid, as the source stores them, and the range of ids
      they get here is recorded with the source's ``project_uid`` (``event_sources``;
      readers show it in the payload as ``merged_from``); events of a conflicting
      (document, annotator) are left out with the work.  Into an empty review the
      source's spans and whole log are copied as SQLite stores them, with their ids.
    * The copying is set-wise (``annotator/store/merging.py``): one SQL statement per
      kind of row over every document of the attached source, not a loop per document.
    * Each source is merged in one transaction: a failure leaves the review
      project as it was before that source.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from annotator.core.errors import ProjectError, SchemaError
from annotator.core.jobs import Cancelled, Progress, ShouldCancel
from annotator.review.assign import PACKAGE_FOR, PACKAGE_OF
from annotator.review.transfer import ensure_annotator, project_uid
from annotator.store.relations import PortableRelation
from annotator.store.transfer import PortableSpan

if TYPE_CHECKING:
    from annotator.store import Project


@dataclass(frozen=True)
class Conflict:
    """The same annotator name with different work on one document in two files."""

    source: str
    annotator: str
    document_id: int
    title: str
    owner: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.annotator!r} on document {self.document_id} ({self.title!r}) differs from "
            f"the work already merged from {self.owner} ({self.detail}); kept the merged version"
        )


@dataclass
class SourceReport:
    """What merging one file did."""

    path: str
    documents: int = 0
    new_documents: int = 0
    spans_added: int = 0
    spans_updated: int = 0
    spans_removed: int = 0
    answers: int = 0
    statuses: int = 0
    events: int = 0
    relations: int = 0  # relations added, relabelled or removed
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: bool = False

    @property
    def changes(self) -> int:
        """How many rows of work changed in the review project."""
        return (self.spans_added + self.spans_updated + self.spans_removed + self.answers + self.statuses
                + self.relations)


@dataclass
class MergeReport:
    """What :func:`merge_projects` did, per source."""

    review: str
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Conflict]:
        """Every conflict of every source."""
        return [c for s in self.sources for c in s.conflicts]

    @property
    def problems(self) -> list[str]:
        """Everything that could not be merged, in words."""
        return [p for s in self.sources for p in s.problems]

    def totals(self) -> dict[str, int]:
        """Sums over the sources."""
        keys = ("documents", "new_documents", "spans_added", "spans_updated", "spans_removed", "answers",
                "statuses", "events", "relations")
        # the answers keep their old key "labels": the --json output is a format others read
        out = {("labels" if k == "answers" else k): sum(getattr(s, k) for s in self.sources) for k in keys}
        out["conflicts"] = len(self.conflicts)
        out["sources"] = len(self.sources)
        return out

    def summary(self) -> str:
        """One paragraph for a terminal or a message box."""
        t = self.totals()
        text = (
            f"merged {t['sources']} file(s) into {self.review}: {t['documents']} document(s) "
            f"({t['new_documents']} new); spans +{t['spans_added']} ~{t['spans_updated']} -{t['spans_removed']}; "
            f"{t['labels']} answer(s), {t['statuses']} status(es), {t['events']} event(s)"
        )
        if t["conflicts"]:
            text += f"; {t['conflicts']} conflict(s) reported, not overwritten"
        return text


@dataclass
class _Work:
    spans: list[PortableSpan]
    answers: dict[str, tuple[str, str | None, str]]
    status: tuple[str, float, str] | None
    relations: list[PortableRelation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.spans and not self.answers and self.status is None

    def fingerprint(self) -> tuple[Counter[tuple[str, int, int, str]], dict[str, tuple[str, str | None]], str | None,
                                   Counter[tuple[Any, ...]]]:
        by_uid = {s.uid: s.content for s in self.spans}
        return (
            Counter(s.content for s in self.spans),
            {q: (v, t) for q, (v, t, _u) in self.answers.items()},
            self.status[0] if self.status else None,
            Counter((r.label, by_uid.get(r.head_uid), by_uid.get(r.child_uid)) for r in self.relations),
        )


def _work(project: Project, doc_id: int, annotator: str) -> _Work:
    return _Work(project.portable_spans(doc_id, annotator), project.answer_records(doc_id, annotator),
                 project.status_record(doc_id, annotator), project.portable_relations(doc_id, annotator))


def _describe_difference(ours: _Work, theirs: _Work) -> str:
    a, b = ours.fingerprint(), theirs.fingerprint()
    parts = []
    only_ours = sum((a[0] - b[0]).values())
    only_theirs = sum((b[0] - a[0]).values())
    if only_ours or only_theirs:
        parts.append(f"{only_theirs} span(s) only in this file, {only_ours} only in the merged version")
    for q in sorted(set(a[1]) | set(b[1])):
        if a[1].get(q) != b[1].get(q):
            parts.append(f"{q}: {(b[1].get(q) or ('-',))[0]} here vs {(a[1].get(q) or ('-',))[0]} merged")
    if a[2] != b[2]:
        parts.append(f"status {b[2] or 'todo'} here vs {a[2] or 'todo'} merged")
    if a[3] != b[3]:
        parts.append(f"{sum((b[3] - a[3]).values())} relation(s) only in this file, "
                     f"{sum((a[3] - b[3]).values())} only in the merged version")
    return "; ".join(parts) or "different"


def merge_projects(
    review_path: str | Path,
    sources: Sequence[str | Path],
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> MergeReport:
    """Merge ``sources`` (project files) into the review project at ``review_path``
    (created, with the first source's schema, when it does not exist)."""

    review_path = Path(review_path)
    if not sources:
        raise ProjectError("name at least one project file to merge")
    for src in sources:
        if not Path(src).is_file():
            raise ProjectError(f"{src}: no such project file")
    # Each source's integrity check (a read of the whole file) and any upgrade run in a worker
    # thread, one source ahead of the merge (SQLite runs without the GIL), instead of all of them
    # first; the first source's commit still waits for every check, so a damaged file among the
    # sources still stops the run before anything of it is merged.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="merge-prepare") as pool:
        itself = review_path.resolve() if review_path.exists() else None
        ready = {src: pool.submit(_prepare, src) for src in dict.fromkeys(sources)
                 if itself is None or Path(src).resolve() != itself}
        try:
            return _merge_all(review_path, sources, ready, progress, should_cancel)
        finally:
            for future in ready.values():
                future.cancel()


def _prepare(src: str | Path) -> int:
    """Check and upgrade the project file ``src`` (so that opening it again skips both), and
    count its documents (for the progress bar)."""
    from annotator.store import Project
    from annotator.store.project import prepare_project

    prepare_project(src)
    with Project(src, create=False) as p:
        return p.count_documents()


def _merge_all(
    review_path: Path,
    sources: Sequence[str | Path],
    ready: dict[str | Path, Future[int]],
    progress: Progress | None,
    should_cancel: ShouldCancel | None,
) -> MergeReport:
    """:func:`merge_projects` once its sources' checks are under way (``ready``: each one's
    document count when it is checked; a source missing there is the review itself)."""
    from annotator.store import Project
    from annotator.store.project import opens_unchanged

    def count(src: str | Path) -> int:
        return ready[src].result() if src in ready else 0

    def opened(src: str | Path) -> Project:
        """The source, opened while its check still runs when opening it writes nothing (the
        commit of what is read from it waits for every check: ``all_checked``); else once it
        is checked (and upgraded).  Reading a 1.5 GB source's work no longer waits the 1-3 s
        of its check."""
        if src in ready and not ready[src].done() and opens_unchanged(src):
            return Project(src, create=False, check=False)
        count(src)
        return Project(src, create=False)

    def damaged(src: str | Path) -> None:
        """After reading ``src`` failed: its check's error when the file is damaged (the
        clearer message: the file, and what to run), else nothing."""
        if src in ready:
            ready[src].result()

    schema = None
    created = not review_path.exists()
    merged: list[str] = []  # project ids of the sources merged (committed) in this run
    if created:
        try:
            with opened(sources[0]) as first:
                schema = first.schema
        except Exception:
            damaged(sources[0])
            raise
    report = MergeReport(review=str(review_path))
    with _no_empty_review(review_path, created, merged), Project(review_path, schema=schema) as review, (
            review.bulk_journal() if schema is not None else contextlib.nullcontext()):
        review_uid = project_uid(review)
        totals: list[int] = []

        def all_checked() -> None:
            if not totals:
                totals.append(sum(count(src) for src in sources))

        done = 0
        version = review.data_version()
        for src in sources:
            if should_cancel is not None and should_cancel():
                raise Cancelled("merge cancelled; the files merged before it stay merged", report)
            sr = SourceReport(path=str(src))
            report.sources.append(sr)
            if Path(src).resolve() == review_path.resolve():
                sr.skipped = True
                sr.problems.append(f"{src}: is the review project itself; skipped")
                continue
            try:
                with opened(src) as source:
                    if project_uid(source, create=False) is None:
                        count(src)  # it is about to be given its id: a write, never into a file not yet checked
                    suid = project_uid(source)
                    if suid == review_uid:
                        sr.skipped = True
                        sr.problems.append(f"{src}: is a copy of the review project itself (same project id); skipped")
                        continue

                    def tick(n: int, what: str) -> None:
                        nonlocal done
                        done += n
                        all_checked()
                        if progress:
                            progress(done, totals[0], what)

                    _merge_one(review, review_uid, source, suid, str(src), sr, tick, should_cancel, all_checked)
                    merged.append(suid)
            except Cancelled:
                raise
            except Exception:
                damaged(src)  # a file read while it was checked: its check's error says what is wrong
                raise
        review.log_event("merge", None, None, sources=[s.path for s in report.sources], totals=report.totals())
        if review.data_version() == version:
            # no other connection wrote here during the run: every event since a source's merge is the run's
            with review.transaction():
                review.merge_seen_until(merged)
    return report


@contextlib.contextmanager
def _no_empty_review(review_path: Path, created: bool, merged: list[str]) -> Iterator[None]:
    """Around a run: when it made the review (``created``) and fails before any source was
    committed into it (``merged`` empty: a damaged first file, a cancel), the file goes."""
    try:
        yield
    except BaseException:
        if created and not merged:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{review_path}{suffix}").unlink(missing_ok=True)
        raise


def _merge_one(
    review: Project,
    review_uid: str,
    source: Project,
    suid: str,
    src_name: str,
    sr: SourceReport,
    tick: Callable[[int, str], None],
    should_cancel: ShouldCancel | None,
    before_commit: Callable[[], None] = lambda: None,
) -> None:
    """Merge one source, set-wise: the store copies and compares every document's rows in a
    few statements over the attached file; only pairs whose ownership is in doubt (work
    here from another file or from the review itself) are compared here, one by one."""
    package_for = source.get_setting(PACKAGE_FOR) if source.get_setting(PACKAGE_OF) == review_uid else None
    schema = review.schema

    def check_cancel() -> None:
        if should_cancel is not None and should_cancel():
            raise Cancelled(f"merge cancelled while merging {src_name}; it was rolled back")

    with review.attached_source(source.path), review.merge_transaction(src_name):
        # Since the last clean merge of this file: only the pairs an event touched, there or here
        since = review.merge_scope(suid)
        # Into an empty review, before anything here is logged: the source's log as stored
        copied_log = review.merge_copy_whole_log(suid) if since is None else None
        for name in source.annotators():
            ensure_annotator(review, name, source.annotator_role(name) or "annotator")
        sr.documents, sr.new_documents = review.merge_documents(scoped=since is not None, source=src_name)
        check_cancel()
        decided: list[tuple[int, str, int]] = []
        for src_doc, new_id, ann, owner_path in review.merge_pairs(suid, package_for, scoped=since is not None):
            theirs = _work(source, src_doc, ann)
            ours = _work(review, new_id, ann)
            same = theirs.fingerprint() == ours.fingerprint()
            if owner_path is None and same:
                decided.append((src_doc, ann, 1))
            elif not same:
                where = owner_path if owner_path is not None else "the review project itself"
                sr.conflicts.append(Conflict(src_name, ann, new_id, review.document_title(new_id), where,
                                             _describe_difference(ours, theirs)))
                decided.append((src_doc, ann, -1))
        review.merge_mark_pairs(decided)
        check_cancel()
        bad_labels: Counter[str] = Counter()
        known = {(layer.name, label) for layer in schema.layers for label in layer.label_names}
        span_labels, answer_values, relation_labels, known_spans = review.merge_labels_used(known)
        bad_spans = []
        for layer, label, n in span_labels:
            try:
                schema.check_span(layer, label)
            except SchemaError:
                bad_labels[f"label {layer}/{label}"] += n
                bad_spans.append((layer, label))
        bad_answers = []
        for question, value, n in answer_values:
            try:
                schema.check_answer(question, value)
            except SchemaError:
                bad_labels[f"answer {question}={value}"] += n
                bad_answers.append((question, value))
        known_relations = {r.name for r in schema.relations}
        bad_relations = []
        for label, n in relation_labels:
            if label not in known_relations:
                bad_labels[f"relation {label}"] += n
                bad_relations.append(label)
        copied = known_spans + sum(n for layer, label, n in span_labels if (layer, label) not in bad_spans)
        counts = review.merge_sync(bad_spans, bad_answers, bad_relations, suid, src_name, copied)
        for uid, other_doc, other_ann in counts.elsewhere:
            # The same span identity under another document/annotator: a copied file edited by hand.
            sr.problems.append(f"{sr.path}: span {uid} is already in the review on document {other_doc} "
                               f"for {other_ann!r}; left out")
        sr.spans_added, sr.spans_updated, sr.spans_removed = counts.spans_added, counts.spans_updated, counts.spans_removed
        sr.answers, sr.statuses, sr.relations = counts.answers, counts.statuses, counts.relations
        check_cancel()
        sr.events = copied_log if copied_log is not None else review.merge_events(
            suid, since or 0, conflicts=bool(sr.conflicts))
        # knowledge-base links follow their spans (by uid); the source's entries come along (docs/kb.md)
        links = source.kb_link_rows()
        if links:
            review.kb_put_link_rows(links, source.kb_entries())
        review.merge_record_seen(suid, clean=not sr.conflicts and not sr.problems and not bad_labels)
        before_commit()
        tick(sr.documents, f"{Path(src_name).name}: {sr.documents} document(s)")
    for label, n in sorted(bad_labels.items()):
        sr.problems.append(f"{src_name}: {n} item(s) with {label} not in the review project's schema; left out")
