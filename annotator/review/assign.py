"""Assigning documents to annotators with overlap, and per-annotator packages.

``assign_documents`` gives each document to ``overlap`` annotators, keeping the
load even (each annotator gets ``ceil`` or ``floor`` of ``N * k / A``
documents) and rotating the partners, so every pair shares documents for
agreement.  Assignments live in the ``assignments`` table.

``export_package`` writes a new project file holding only one annotator's
documents, their own work so far and the machine suggestions, ready to be
sent to them; ``annotator merge`` brings the work back (the package remembers
which review project it came from, so merging it back is a sync, not a conflict).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from annotator.core.errors import AnnotatorError, ProjectError
from annotator.core.jobs import Progress
from annotator.core.model import GOLD
from annotator.review import blind
from annotator.review.transfer import PROJECT_UID, copy_document, ensure_annotator, project_uid

if TYPE_CHECKING:
    from annotator.store import Project

#: Settings a package carries: which review project it came from, and for whom.
PACKAGE_OF = "package_of"
PACKAGE_FOR = "package_for"


class AssignmentError(AnnotatorError):
    """The assignment cannot be made as asked."""

    code = "E602"


@dataclass
class AssignReport:
    """What :func:`assign_documents` did."""

    documents: int = 0
    added: int = 0
    load: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)


def assignments(project: Project, annotator: str | None = None) -> dict[int, list[str]]:
    """``{document_id: [annotators]}`` (only documents with an assignment)."""
    return project.assignments(annotator)


def assigned_documents(project: Project, annotator: str) -> list[int]:
    """Ids of the documents assigned to ``annotator``."""
    return project.assigned_documents(annotator)


def assign_documents(
    project: Project,
    annotators: Sequence[str],
    overlap: int = 2,
    *,
    documents: Sequence[int] | None = None,
    replace: bool = False,
    seed: int | None = None,
) -> AssignReport:
    """Give each document (default: all) to ``overlap`` of ``annotators``.

    Existing assignments are kept and topped up to ``overlap`` unless
    ``replace`` clears the given documents' assignments first.  ``seed``
    shuffles the document order (reproducibly); without it documents are
    dealt in id order.
    """
    names = list(dict.fromkeys(a.strip() for a in annotators if a.strip()))
    if GOLD in names:
        raise AssignmentError("'gold' is the adjudicated set, not an annotator; it cannot be assigned documents")
    if not names:
        raise AssignmentError("name at least one annotator")
    if overlap < 1:
        raise AssignmentError(f"overlap must be at least 1, not {overlap}")
    if overlap > len(names):
        raise AssignmentError(
            f"overlap {overlap} needs at least {overlap} annotators; got {len(names)} ({', '.join(names)})"
        )
    doc_ids = list(documents) if documents is not None else project.document_ids()
    known = set(project.document_ids())
    missing = [d for d in doc_ids if d not in known]
    if missing:
        raise AssignmentError(f"no document {missing[0]} in {project.path}")
    if seed is not None:
        random.Random(seed).shuffle(doc_ids)
    report = AssignReport(documents=len(doc_ids))
    with project.transaction():
        for name in names:
            ensure_annotator(project, name)
        if replace and doc_ids:
            project.clear_assignments(doc_ids)
        current = project.assignments()
        load = Counter({n: 0 for n in names})
        for anns in current.values():
            load.update(a for a in anns if a in load)
        pair_load: Counter[tuple[str, str]] = Counter()
        rows: list[tuple[int, str]] = []
        for doc_id in doc_ids:
            have = list(current.get(doc_id, []))
            need = overlap - len([a for a in have if a in load])
            chosen: list[str] = []
            for _ in range(max(0, need)):
                candidates = [n for n in names if n not in have and n not in chosen]
                # least loaded first; among equals, the one who has shared least with those already chosen
                best = min(
                    candidates,
                    key=lambda n: (
                        load[n],
                        sum(pair_load[tuple(sorted((n, c)))] for c in chosen + have),  # type: ignore[misc]
                        names.index(n),
                    ),
                )
                chosen.append(best)
                load[best] += 1
            group = have + chosen
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    pair_load[tuple(sorted((a, b)))] += 1  # type: ignore[index]
            rows.extend((doc_id, a) for a in chosen)
        project.add_assignments(rows)
        project.log_event("assign", None, None, annotators=names, overlap=overlap, documents=len(doc_ids),
                          added=len(rows))
    report.added = len(rows)
    report.load = dict(load)
    report.pairs = {f"{a}|{b}": n for (a, b), n in sorted(pair_load.items())}
    return report


@dataclass
class PackageReport:
    """What :func:`export_package` wrote."""

    path: Path
    annotator: str
    documents: int = 0
    spans: int = 0
    answers: int = 0
    suggestions: int = 0
    others: list[str] = field(default_factory=list)


def export_package(
    project: Project,
    annotator: str,
    out: str | Path,
    *,
    documents: Sequence[int] | None = None,
    include_suggestions: bool = True,
    include_others: bool = False,
    progress: Progress | None = None,
) -> PackageReport:
    """Write a project file for one annotator with only their documents.

    ``documents`` defaults to the annotator's assignments.  The package holds
    the documents, the annotator's own spans, answers and status (uids kept,
    so merging back adds nothing twice), and the machine suggestions.  Other
    annotators' work goes in only with ``include_others``, which blind mode
    forbids (:class:`~annotator.review.blind.BlindModeError`).
    """
    from annotator.store import Project

    out = Path(out)
    if out.exists():
        raise ProjectError(f"{out} exists already; a package is always a new file")
    if annotator == GOLD:
        raise AssignmentError("'gold' is the adjudicated set; make a package for an annotator")
    if include_others and blind.is_blind(project):
        raise blind.BlindModeError(
            f"{project.path} is in blind mode: a package for {annotator!r} may hold only their own work"
        )
    doc_ids = list(documents) if documents is not None else project.assigned_documents(annotator)
    if not doc_ids:
        raise AssignmentError(
            f"no documents assigned to {annotator!r} in {project.path}; run 'annotator assign' first "
            "or name the documents"
        )
    review_uid = project_uid(project)
    report = PackageReport(path=out, annotator=annotator)
    others: set[str] = set()
    package = Project(out, schema=project.schema)
    try:
        with package.transaction():
            for key in (PROJECT_UID, PACKAGE_OF, PACKAGE_FOR):
                package.delete_setting(key)
            package.set_setting(PACKAGE_OF, review_uid or "")
            package.set_setting(PACKAGE_FOR, annotator)
            package.set_setting(blind.SETTING, "1" if blind.is_blind(project) else "0")
            project_uid(package)
            ensure_annotator(package, annotator)
            for i, doc_id in enumerate(doc_ids):
                new_id, _ = copy_document(project, package, doc_id)
                package.add_assignments([(new_id, annotator)])
                who = [annotator]
                if include_others:
                    who += [a for a in project.span_annotators(doc_id) if a not in (annotator, GOLD)]
                for ann in who:
                    rows = project.portable_spans(doc_id, ann)
                    if rows:
                        ensure_annotator(package, ann, project.annotator_role(ann) or "annotator")
                    if ann != annotator and rows:
                        others.add(ann)
                    package.insert_portable_spans(new_id, rows)
                    package.insert_portable_relations(new_id, project.portable_relations(doc_id, ann))
                    report.spans += len(rows)
                for question, (value, target, updated) in project.answer_records(doc_id, annotator).items():
                    package.put_answer_record(new_id, annotator, question, value, target, updated)
                    report.answers += 1
                st = project.status_record(doc_id, annotator)
                if st:
                    package.put_status_record(new_id, annotator, st)
                if include_suggestions:
                    report.suggestions += package.copy_suggestions_from(project, doc_id, new_id, annotator)
                report.documents += 1
                if progress:
                    progress(i + 1, len(doc_ids), f"document {doc_id}")
    except BaseException:
        package.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)
        raise
    package.close()
    report.others = sorted(others)
    return report

