"""Answers to the schema's document questions (table ``doc_labels``)."""

from __future__ import annotations

from typing import Any, Sequence

from annotator.core.errors import SchemaError
from annotator.core.model import Answer
from annotator.store.base import StoreBase, marks, now


class AnswersMixin(StoreBase):
    """Each annotator's answers on each document."""

    def set_answer(
        self, document_id: int, annotator: str, question: str, value: str, target: str | None = None
    ) -> None:
        """Answer a document question (replaces that annotator's earlier answer)."""
        self.schema.check_answer(question, value)
        q = self.schema.question(question)
        if target and q.target is None:
            raise SchemaError(f"question {question!r} takes no target")
        with self.transaction():
            self.get_text(document_id)
            annotator = self._ensure_annotator(annotator)
            old = self._conn.execute(
                "SELECT value, target FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?",
                (document_id, annotator, question),
            ).fetchone()
            self._conn.execute(
                "INSERT OR REPLACE INTO doc_labels(document_id, annotator, question, value, target, updated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (document_id, annotator, question, value, target, now()),
            )
            self._log("set_doc_label", annotator, document_id, question=question, value=value, target=target,
                      before=list(old) if old else None)

    def clear_answer(self, document_id: int, annotator: str, question: str) -> None:
        """Withdraw an answer."""
        with self.transaction():
            cur = self._conn.execute(
                "DELETE FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?",
                (document_id, annotator, question),
            )
            if cur.rowcount:
                self._log("clear_doc_label", annotator, document_id, question=question)

    def answers(self, document_id: int, annotator: str | None = None) -> list[Answer]:
        """Answers on a document (every annotator's unless one is named)."""
        sql = "SELECT question, value, annotator, target, document_id FROM doc_labels WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [Answer(*r) for r in self._conn.execute(sql + " ORDER BY annotator, question", args)]

    def answers_to(self, question: str, annotators: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(document_id, annotator, value)`` of every answer to ``question`` by ``annotators``."""
        if not annotators:
            return []
        return self._conn.execute(
            f"SELECT document_id, annotator, value FROM doc_labels WHERE question = ?"
            f" AND annotator IN ({marks(len(annotators))})",
            [question, *annotators],
        ).fetchall()
