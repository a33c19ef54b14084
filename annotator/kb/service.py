"""Knowledge-base operations on a project, for the CLI and the GUI's background jobs:
run the linker, list entries with their mentions, score a clustering (docs/kb.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Hashable, Mapping

from annotator.core.errors import NotFoundError
from annotator.core.jobs import Progress, ShouldCancel, check_cancel, report
from annotator.kb.linker import Link, suggest_links
from annotator.kb.stories import THRESHOLD, Story, group_stories, story_docs

if TYPE_CHECKING:
    from annotator.store import Project


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What a linker run did."""

    mentions: int
    links: list[Link]
    new_entries: int

    def to_json(self) -> dict[str, Any]:
        """The ``annotator link --json`` shape."""
        return {
            "mentions": self.mentions,
            "new_entries": self.new_entries,
            "links": [{"span": k.span_id, "entry": k.entry_id, "origin": k.origin, "score": k.score}
                      for k in self.links],
        }


def link_project(
    project: Project,
    annotator: str | None = None,
    *,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> LinkReport:
    """Suggest an entry for every entity span (of ``annotator``, or everyone's) that has
    no accepted link, creating entries for new names; one transaction."""
    if annotator is not None and annotator not in project.annotators():
        raise NotFoundError(f"no annotator {annotator!r} in {project.path} "
                            f"(annotators: {', '.join(project.annotators()) or 'none'})")
    mentions = project.kb_mentions(annotator=annotator, linked_only=False)
    plan = suggest_links(mentions, project.kb_entries(), project.kb_rejections(annotator),
                         progress=progress, should_cancel=should_cancel)
    todo = [m.span_id for m in mentions if m.status != "accepted"]
    project.kb_apply_linking(plan.new_entries, [(k.span_id, k.entry_id, k.origin, k.score) for k in plan.links],
                             todo)
    return LinkReport(len(mentions), plan.links, len(plan.new_entries))


def kb_listing(project: Project) -> list[dict[str, Any]]:
    """``annotator kb --json``: every entry with its live (suggested or accepted) mentions."""
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in project.kb_mentions():
        mentions[m.entry_id or ""].append({"document": m.document_id, "start": m.start, "end": m.end,
                                            "annotator": m.annotator, "status": m.status, "text": m.text})
    return [
        {"id": e.id, "name": e.name, "label": e.label, "aliases": list(e.aliases), "description": e.description,
         "external_ids": dict(e.external_ids), "mentions": mentions.get(e.id, [])}
        for e in project.kb_entries()
    ]


def bcubed(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (``{item: cluster}``) against a
    gold one, over the items both hold (Bagga and Baldwin 1998): for each item, the
    share of its predicted cluster that is in its gold cluster, and the other way."""
    items = [i for i in gold if i in predicted]
    if not items:
        return 0.0, 0.0, 0.0
    pred_members: dict[Hashable, set[Hashable]] = defaultdict(set)
    gold_members: dict[Hashable, set[Hashable]] = defaultdict(set)
    for i in items:
        pred_members[predicted[i]].add(i)
        gold_members[gold[i]].add(i)
    p = r = 0.0
    for i in items:
        mine, truth = pred_members[predicted[i]], gold_members[gold[i]]
        both = len(mine & truth)
        p += both / len(mine)
        r += both / len(truth)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def find_stories(
    project: Project,
    *,
    threshold: float | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> list[Story]:
    """Group the project's articles into stories by their linked entries, text and dates
    (method in :mod:`annotator.kb.stories`); run ``link_project`` first."""
    entries: dict[int, set[str]] = defaultdict(set)
    for m in project.kb_mentions():
        if m.entry_id:
            entries[m.document_id].add(m.entry_id)
    rows = []
    total = project.count_documents()
    for n, doc in enumerate(project.iter_documents()):
        if n % 500 == 0:
            check_cancel(should_cancel)
            report(progress, n, total, "reading articles")
        outlet = doc.source or str(doc.meta.get("outlet") or doc.meta.get("dateline_outlet") or "")
        rows.append((doc.id or 0, outlet, doc.published, doc.text))
    report(progress, total, total, "grouping")
    docs = story_docs(rows, entries)
    return group_stories(docs, THRESHOLD if threshold is None else threshold, should_cancel)
