"""Each annotator's state on each document and the time spent (table ``document_status``)."""

from __future__ import annotations

from typing import Any, Sequence

from annotator.core.model import STATES
from annotator.store.base import StoreBase, marks, now


class StatusMixin(StoreBase):
    """todo / in_progress / done / skipped, per (document, annotator)."""

    def set_status(self, document_id: int, annotator: str, state: str, *, add_seconds: float = 0.0) -> None:
        """Set an annotator's state on a document and add time spent."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        with self.transaction():
            self.get_text(document_id)
            annotator = self._ensure_annotator(annotator)
            self._conn.execute(
                "INSERT INTO document_status(document_id, annotator, state, seconds, updated) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(document_id, annotator) DO UPDATE SET state = excluded.state,"
                " seconds = document_status.seconds + excluded.seconds, updated = excluded.updated",
                (document_id, annotator, state, float(add_seconds), now()),
            )
            self._log("set_status", annotator, document_id, state=state, seconds=add_seconds)

    def status(self, document_id: int, annotator: str) -> str:
        """The annotator's state on a document (``todo`` when never touched)."""
        row = self._conn.execute(
            "SELECT state FROM document_status WHERE document_id = ? AND annotator = ?", (document_id, annotator)
        ).fetchone()
        return row[0] if row else "todo"

    def statuses(self, annotator: str | None = None) -> dict[tuple[int, str], str]:
        """``{(document_id, annotator): state}`` for stored states."""
        sql = "SELECT document_id, annotator, state FROM document_status"
        args: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        return {(r[0], r[1]): r[2] for r in self._conn.execute(sql, args)}

    def progress(self, annotator: str) -> tuple[int, int]:
        """``(done, total)`` for the annotator ("12 of 40 done")."""
        done = self._conn.execute(
            "SELECT count(*) FROM document_status WHERE annotator = ? AND state = 'done'", (annotator,)
        ).fetchone()[0]
        return int(done), self.count_documents()

    def status_rows(self, annotators: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(document_id, annotator, state)`` of every stored state of ``annotators``."""
        if not annotators:
            return []
        return self._conn.execute(
            f"SELECT document_id, annotator, state FROM document_status WHERE annotator IN ({marks(len(annotators))})",
            list(annotators),
        ).fetchall()

    def document_states(self, document_id: int) -> list[tuple[str, str]]:
        """``(annotator, state)`` of every stored state on a document."""
        return self._conn.execute(
            "SELECT annotator, state FROM document_status WHERE document_id = ?", (document_id,)
        ).fetchall()
