"""The few reads of the project the main window needs, in one place (the
window itself never reads the store; editing reads go through the session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.model import Document
from annotator.core.schema import LabelSchema
from annotator.store import Project


class ProjectInfo:
    """Read-only questions about one open project, for the window's views."""

    def __init__(self, project: Project) -> None:
        self._project = project

    @property
    def path(self) -> Path:
        """The project file."""
        return self._project.path

    @property
    def schema(self) -> LabelSchema:
        """The project's label schema (layers, labels, questions)."""
        return self._project.schema

    def document(self, doc_id: int) -> Document:
        """One document (text and metadata)."""
        return self._project.get_document(doc_id)

    def length(self, doc_id: int) -> int:
        """A document's length in characters, without reading its text."""
        infos = self._project.document_infos([doc_id], with_counts=False)
        return infos[0].length if infos else 0

    def summary(self, doc_id: int) -> Any:
        """A document's list row (title, outlet, date, length; no text)."""
        return self._project.document_infos([doc_id], with_counts=False)[0]

    def summaries(self, doc_ids: list[int]) -> list[Any]:
        """List rows (title, outlet, date, length; no text) of several documents."""
        return self._project.document_infos(doc_ids, with_counts=False) if doc_ids else []

    def unsuggested_ids(self, among: list[int] | None = None) -> list[int]:
        """Documents no suggester has run on yet (of ``among`` only, when given), in id order."""
        return self._project.unsuggested_document_ids(among)

    def answer_suggestions(self, doc_id: int) -> dict[str, Any]:
        """The suggested answer per question of a document (the most probable; a trained model's stance)."""
        out: dict[str, Any] = {}
        for sug in self._project.answer_suggestions(doc_id):
            out.setdefault(sug.question, sug)
        return out

    def document_ids(self) -> list[int]:
        """Every document id, ascending."""
        return self._project.document_ids()

    def progress_text(self, annotator: str) -> str:
        """The "My progress" summary: the annotator's counts and the project's totals."""
        done, total = self._project.progress(annotator)
        st = self._project.stats()
        mine = st["status"].get(annotator, {})
        return (f"{annotator}: {done} of {total} documents done, {mine.get('skipped', 0)} skipped, "
                f"{mine.get('in_progress', 0)} in progress.\nProject: {st['spans']} spans, "
                f"{st['suggestions']} suggestions, annotators: {', '.join(st['annotators'])}.")
