"""Annotators and the review tables: roles, assignments, merge owners, and who worked on what."""

from __future__ import annotations

from typing import Iterable, Sequence

from annotator.core.model import GOLD, annotator_name
from annotator.store.base import CHUNK, StoreBase, marks, now


class ReviewTablesMixin(StoreBase):
    """Tables ``annotators``, ``assignments`` and ``merge_owners``, and the queries
    that ask which annotators have work where (spans, answers or a status)."""

    def add_annotator(self, name: str, role: str = "annotator") -> None:
        """Register an annotator (idempotent).  ``gold`` is the reviewer's set."""
        name = annotator_name(name)  # the one normal form: " bob" is bob
        if role not in ("annotator", "reviewer"):
            raise ValueError(f"role must be annotator or reviewer, not {role!r}")
        with self.transaction():
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO annotators(name, role, created) VALUES (?, ?, ?)", (name, role, now())
            )
            if cur.rowcount:
                self._log("add_annotator", name, None, role=role)

    def annotators(self) -> list[str]:
        """Annotator names, in the order they were added."""
        return [r[0] for r in self._conn.execute("SELECT name FROM annotators ORDER BY created, name")]

    def annotator_role(self, name: str) -> str | None:
        """``annotator``, ``reviewer`` or None when unknown (``name`` in any spelling: " bob" is bob)."""
        try:
            name = annotator_name(name)
        except ValueError:
            return None  # not a usable name, so not a registered one
        row = self._conn.execute("SELECT role FROM annotators WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _ensure_annotator(self, name: str) -> str:
        """Register ``name`` if new; returns it in its normal form (what rows must use)."""
        name = annotator_name(name)
        # names already seen are not asked again (one round trip less per edit on a server);
        # annotators are never deleted, and a rolled-back transaction empties this set
        seen: set[str] = self.__dict__.setdefault("_annotators_seen", set())
        if name in seen:
            return name
        if not self._conn.execute("SELECT 1 FROM annotators WHERE name = ?", (name,)).fetchone():
            self.add_annotator(name, "reviewer" if name == GOLD else "annotator")
        seen.add(name)
        return name

    def set_annotator_role(self, name: str, role: str) -> None:
        """Change a registered annotator's role (``annotator`` or ``reviewer``) and log it."""
        if role not in ("annotator", "reviewer"):
            raise ValueError(f"role must be annotator or reviewer, not {role!r}")
        name = annotator_name(name)
        with self.transaction():
            self._conn.execute("UPDATE annotators SET role = ? WHERE name = ?", (role, name))
            self._log("set_role", name, None, role=role)

    # assignments

    def assignments(self, annotator: str | None = None) -> dict[int, list[str]]:
        """``{document_id: [annotators]}`` (only documents with an assignment)."""
        sql = "SELECT document_id, annotator FROM assignments"
        args: list[str] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        out: dict[int, list[str]] = {}
        for doc_id, ann in self._conn.execute(sql + " ORDER BY document_id, annotator", args):
            out.setdefault(doc_id, []).append(ann)
        return out

    def assigned_documents(self, annotator: str) -> list[int]:
        """Ids of the documents assigned to ``annotator``."""
        return [r[0] for r in self._conn.execute(
            "SELECT document_id FROM assignments WHERE annotator = ? ORDER BY document_id", (annotator,))]

    def add_assignments(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Assign documents: ``(document_id, annotator)`` pairs (one already there is kept)."""
        ts = now()
        with self.transaction():
            self._conn.executemany(
                "INSERT OR IGNORE INTO assignments(document_id, annotator, created) VALUES (?, ?, ?)",
                [(doc_id, ann, ts) for doc_id, ann in pairs],
            )

    def clear_assignments(self, document_ids: Sequence[int]) -> None:
        """Remove every assignment of the given documents."""
        ids = list(document_ids)
        with self.transaction():
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i : i + CHUNK]
                self._conn.execute(f"DELETE FROM assignments WHERE document_id IN ({marks(len(chunk))})", chunk)

    # merge owners

    def merge_owner(self, document_id: int, annotator: str) -> tuple[str, str] | None:
        """``(source_uid, source_path)`` of the file the annotator's work on a document was merged from."""
        row = self._conn.execute(
            "SELECT source_uid, source_path FROM merge_owners WHERE document_id = ? AND annotator = ?",
            (document_id, annotator),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def set_merge_owner(self, document_id: int, annotator: str, source_uid: str, source_path: str) -> None:
        """Record that the annotator's work on a document now comes from ``source_uid``."""
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO merge_owners(document_id, annotator, source_uid, source_path, merged)"
                " VALUES (?, ?, ?, ?, ?)", (document_id, annotator, source_uid, source_path, now()))

    # who worked on what

    def annotators_with_work(self) -> set[str]:
        """Annotators with a span, an answer or a status other than todo anywhere (gold included)."""
        return {r[0] for r in self._conn.execute(
            "SELECT annotator FROM spans UNION SELECT annotator FROM doc_labels"
            " UNION SELECT annotator FROM document_status WHERE state != 'todo'"
        )}

    def annotators_on(self, document_id: int) -> list[str]:
        """Annotators with any row (span, answer or status) on a document, sorted."""
        return [r[0] for r in self._conn.execute(
            "SELECT annotator FROM spans WHERE document_id = ? UNION SELECT annotator FROM doc_labels"
            " WHERE document_id = ? UNION SELECT annotator FROM document_status WHERE document_id = ? ORDER BY 1",
            (document_id, document_id, document_id))]

    def span_or_answer_annotators(self, document_id: int) -> set[str]:
        """Annotators with a span or an answer on a document."""
        return {r[0] for r in self._conn.execute(
            "SELECT annotator FROM spans WHERE document_id = ? UNION SELECT annotator FROM doc_labels"
            " WHERE document_id = ?", (document_id, document_id))}

    def worked_documents(self, annotator: str) -> set[int]:
        """Documents the annotator worked on: a span, an answer, or a status other than todo/skipped."""
        return {r[0] for r in self._conn.execute(
            "SELECT document_id FROM spans WHERE annotator = :a"
            " UNION SELECT document_id FROM doc_labels WHERE annotator = :a"
            " UNION SELECT document_id FROM document_status WHERE annotator = :a AND state NOT IN ('todo', 'skipped')",
            {"a": annotator},
        )}

    def span_or_answer_pairs(self, annotators: Sequence[str]) -> set[tuple[int, str]]:
        """``{(document_id, annotator)}`` where one of ``annotators`` has a span or an answer."""
        if not annotators:
            return set()
        m = marks(len(annotators))
        return set(self._conn.execute(
            f"SELECT document_id, annotator FROM spans WHERE annotator IN ({m})"
            f" UNION SELECT document_id, annotator FROM doc_labels WHERE annotator IN ({m})",
            [*annotators, *annotators],
        ).fetchall())
