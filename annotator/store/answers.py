"""Answers to the schema's document questions (table ``doc_labels``)."""

from __future__ import annotations

import json
from typing import Any, Sequence

from annotator.core.errors import SchemaError
from annotator.core.model import Answer, AnswerSuggestion
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

    # -- suggested answers (a trained text classifier's stance) ---------------------

    def set_answer_suggestions(self, document_id: int, suggestions: Sequence[AnswerSuggestion], suggester: str,
                               version: str) -> None:
        """Replace ``suggester``'s suggested answers on a document (none: remove them).  Values
        outside the schema's question are refused; annotators' answers are never touched."""
        for sug in suggestions:
            self.schema.check_answer(sug.question, sug.value)
        with self.transaction():
            self._conn.execute("DELETE FROM answer_suggestions WHERE document_id = ? AND suggester = ?",
                               (document_id, suggester))
            stamp = now()
            for sug in suggestions:
                self._conn.execute(
                    "INSERT INTO answer_suggestions(document_id, question, value, score, scores, origin, suggester,"
                    " version, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (document_id, sug.question, sug.value, float(sug.score),
                     json.dumps({k: round(float(v), 4) for k, v in sug.scores.items()}), sug.origin, suggester,
                     version, stamp))

    def answer_suggestions(self, document_id: int, question: str | None = None) -> list[AnswerSuggestion]:
        """The suggested answers on a document (best first per question)."""
        sql = ("SELECT question, value, score, origin, scores, suggester, document_id FROM answer_suggestions"
               " WHERE document_id = ?")
        args: list[Any] = [document_id]
        if question is not None:
            sql += " AND question = ?"
            args.append(question)
        return [AnswerSuggestion(r[0], r[1], float(r[2]), r[3], json.loads(r[4] or "{}"), r[5], int(r[6]))
                for r in self._conn.execute(sql + " ORDER BY question, score DESC, suggester", args)]

    def has_answer_suggestions(self, suggester: str) -> bool:
        """True when ``suggester`` has stored a suggested answer anywhere."""
        return self._conn.execute("SELECT 1 FROM answer_suggestions WHERE suggester = ? LIMIT 1",
                                  (suggester,)).fetchone() is not None

    def answer_suggestion_scores(self, question: str) -> dict[int, dict[str, float]]:
        """``{document_id: {value: probability}}`` of every suggested answer to ``question``
        (the best suggester's per document)."""
        out: dict[int, dict[str, float]] = {}
        for doc, scores in self._conn.execute(
                "SELECT document_id, scores FROM answer_suggestions WHERE question = ? ORDER BY score", (question,)):
            out[int(doc)] = {k: float(v) for k, v in json.loads(scores or "{}").items()}
        return out
