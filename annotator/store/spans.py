"""Spans (human and accepted) and machine suggestions with each annotator's decisions."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Sequence

from annotator.core.errors import NotFoundError, ProjectError
from annotator.core.model import Span, annotator_name, content_hash
from annotator.store import learning
from annotator.store.base import StoreBase, hash_hex, id_chunks, marks, new_uid, now, stored_hash

if TYPE_CHECKING:
    import numpy as np

_SPAN_COLS = 'id, document_id, annotator, layer, start, "end", label, origin, score, note'


def _span_from_row(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0],
        document_id=row[1],
        annotator=row[2],
        layer=row[3],
        start=row[4],
        end=row[5],
        label=row[6],
        origin=row[7],
        score=row[8],
        note=row[9],
    )


_SUGG_COLS = 'id, document_id, layer, start, "end", label, origin, score'


def _suggestion_from_row(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0], document_id=row[1], layer=row[2], start=row[3], end=row[4], label=row[5], origin=row[6], score=row[7]
    )


def _index_order(columns: list[np.ndarray], annotators: Sequence[str], layers: Sequence[str]) -> list[np.ndarray]:
    """The four coded columns of :meth:`SpansMixin.layer_span_arrays` (and the ids, last) by
    (document, annotator name, layer name, id).  A search on the index ``spans_doc`` gives the
    rows in that order, 80 ms a block of 5,000 documents faster than asking for it (the
    ``ORDER BY`` of a subquery); SQL does not promise it, so it is checked, and the rows
    sorted if it does not hold."""
    import numpy as np

    code, start, end_label, layer, ids = columns
    mine = code >= 0  # the annotators asked for (the others are dropped by the caller anyway)
    if not mine.all():
        code, start, end_label, layer, ids = (c[mine] for c in (code, start, end_label, layer, ids))
    n = len(annotators)
    doc = code // n
    ann = np.argsort(np.argsort(np.array(annotators, dtype=object)))[code % n] if n else code
    lay = np.argsort(np.argsort(np.array(layers, dtype=object)))[layer] if len(layers) else layer
    d, a, m, i = np.diff(doc), np.diff(ann), np.diff(lay), np.diff(ids)
    ordered = (d > 0) | ((d == 0) & ((a > 0) | ((a == 0) & ((m > 0) | ((m == 0) & (i > 0))))))
    if not ordered.all():
        order = np.lexsort((ids, lay, ann, doc))
        code, start, end_label, layer = code[order], start[order], end_label[order], layer[order]
    return [code, start, end_label, layer]


class SpansMixin(StoreBase):
    """The ``spans`` table: every annotator's spans (gold included)."""

    def _check_span(self, document_id: int, span: Span, text: str | None = None) -> None:
        self.schema.check_span(span.layer, span.label)
        span.validate(text if text is not None else self.get_text(document_id))

    def add_span(self, document_id: int, span: Span, annotator: str | None = None, *, validate: bool = True,
                 uid: str | None = None) -> int:
        """Store one span for ``annotator`` (default: ``span.annotator``); returns its id.  ``uid``
        stores it under an identity it had before (undo of a delete: its relations can come back)."""
        return self.add_spans(document_id, [span], annotator, validate=validate, uids=[uid])[0]

    def add_spans(
        self, document_id: int, spans: Sequence[Span], annotator: str | None = None, *, validate: bool = True,
        uids: Sequence[str | None] | None = None,
    ) -> list[int]:
        """Store several spans in one transaction (all or nothing); ``uids`` as for :meth:`add_span`."""
        ids: list[int] = []
        text = self.get_text(document_id) if validate else None
        with self.transaction():
            for i, span in enumerate(spans):
                who = annotator or span.annotator
                if not who:
                    raise ValueError("a span needs an annotator")
                who = self._ensure_annotator(who)
                if validate:
                    self._check_span(document_id, span, text)
                ts = now()
                cur = self._conn.execute(
                    'INSERT INTO spans(uid, document_id, annotator, layer, start, "end", label, origin, score, note,'
                    " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((uids[i] if uids else None) or new_uid(), document_id, who, span.layer, span.start, span.end, span.label, span.origin,
                     span.score, span.note, ts, ts),
                )
                span_id = int(cur.lastrowid)
                ids.append(span_id)
                self._log("add_span", who, document_id, span_id=span_id, layer=span.layer, start=span.start,
                          end=span.end, label=span.label, origin=span.origin)
        return ids

    def get_span(self, span_id: int) -> Span:
        """One span by id; :class:`NotFoundError` if absent."""
        row = self._conn.execute(f"SELECT {_SPAN_COLS} FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        return _span_from_row(row)

    def update_span(
        self, span_id: int, *, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Span:
        """Move a boundary or relabel; returns the span as now stored."""
        with self.transaction():
            old = self.get_span(span_id)
            new = old.with_(
                start=old.start if start is None else start,
                end=old.end if end is None else end,
                label=old.label if label is None else label,
            )
            self._check_span(old.document_id or 0, new)
            self._conn.execute(
                'UPDATE spans SET start = ?, "end" = ?, label = ?, updated = ? WHERE id = ?',
                (new.start, new.end, new.label, now(), span_id),
            )
            self._log("update_span", old.annotator, old.document_id, span_id=span_id,
                      before=[old.start, old.end, old.label], after=[new.start, new.end, new.label])
            return new

    def delete_span(self, span_id: int) -> Span:
        """Remove a span; returns what was removed (for undo)."""
        with self.transaction():
            old = self.get_span(span_id)
            self._delete_relations_of_span(span_id)
            self._conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            self._conn.execute("UPDATE suggestion_decisions SET span_id = NULL WHERE span_id = ?", (span_id,))
            self._log("delete_span", old.annotator, old.document_id, span_id=span_id, layer=old.layer,
                      start=old.start, end=old.end, label=old.label)
            return old

    def spans(self, document_id: int, annotator: str | None = None, layer: str | None = None) -> list[Span]:
        """Human (and accepted) spans of a document, ordered by position."""
        sql = f"SELECT {_SPAN_COLS} FROM spans WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        if layer is not None:
            sql += " AND layer = ?"
            args.append(layer)
        rows = self._conn.execute(sql + ' ORDER BY start, "end", layer, label, id', args).fetchall()
        return [_span_from_row(r) for r in rows]

    def span_annotators(self, document_id: int) -> list[str]:
        """Annotators with at least one span on the document."""
        return [r[0] for r in self._conn.execute(
            "SELECT DISTINCT annotator FROM spans WHERE document_id = ? ORDER BY annotator", (document_id,))]

    def layer_spans(self, layer: str, annotators: Sequence[str]) -> list[tuple[int, str, int, int, str]]:
        """``(document_id, annotator, start, end, label)`` of every span of ``layer`` by ``annotators``
        (unordered; the agreement figures read them all at once)."""
        if not annotators:
            return []
        return self._conn.execute(
            f'SELECT document_id, annotator, start, "end", label FROM spans WHERE layer = ?'
            f" AND annotator IN ({marks(len(annotators))})",
            [layer, *annotators],
        ).fetchall()


    def layer_span_arrays(self, layers: Sequence[str], annotators: Sequence[str],
                          labels: Sequence[Sequence[str]],
                          documents: tuple[int | None, int | None] | None = None) -> tuple[np.ndarray, ...]:
        """Every span of ``layers`` by ``annotators`` as integers, for agreement over a large
        project: six int64 arrays ``(layer, document_id, annotator, start, end, label)``, one
        element per span in the order of the spans' ids, with the indexes into ``layers``,
        ``annotators`` and ``labels[layer]`` (label -1: one not in that list;
        :meth:`layer_spans` has them).

        ``documents=(low, high)``: only the spans of the documents with ``low <= id < high``
        (``None``: no bound), ordered by (document, annotator name, layer, id), so agreement
        can take a project a block of documents at a time (each (document, annotator,
        layer)'s spans still come in id order, the order its IOB tags depend on).

        No text value is read per span, and on a project file no Python object is made per
        span either: SQLite joins each column of a range of ids into one string of numbers
        (``group_concat``) that numpy parses (a row as a tuple cost 0.6 µs, most of the
        reading of 6.7 million spans); names become numbers by ``CASE`` in the query (a test
        ``annotator IN (...)`` cost as much as all the rest).  A server sends rows."""
        import numpy as np

        n = len(annotators)
        if not annotators or not layers:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(6))
        every = list(dict.fromkeys(lab for layer_labels in labels for lab in layer_labels))
        width = len(every) + 1
        # the annotator's index with the document (-1: someone else), the label's among all layers' + 1
        ann_case = ("CASE annotator " + " ".join(f"WHEN ? THEN document_id * {n} + {i}" for i in range(n))
                    + " ELSE -1 END")
        lab_case = ("CASE label " + " ".join(f"WHEN ? THEN {i + 1}" for i in range(len(every))) + " ELSE 0 END"
                    if every else "0")
        lay_case = "CASE layer " + " ".join(f"WHEN ? THEN {i}" for i in range(len(layers))) + " END"
        columns = [ann_case, "start", f'"end" * {width} + {lab_case}', lay_case]
        args = [*annotators, *every, *layers]
        where, where_args = f"layer IN ({marks(len(layers))})", list(layers)
        order = "id"
        if documents is not None:
            low, high = documents
            if low is not None:
                where += " AND document_id >= ?"
                where_args.append(low)
            if high is not None:
                where += " AND document_id < ?"
                where_args.append(high)
            order = "document_id, annotator, layer, id"
        if self._dialect.name == "postgresql":
            rows = self._conn.execute(f"SELECT {', '.join(columns)} FROM spans WHERE {where} ORDER BY {order}",
                                      [*args, *where_args])
            flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64).reshape(-1, 4)
            cols = [flat[:, k] for k in range(4)]
        elif documents is not None:
            # one block of documents, each column's numbers joined by commas as below, and the ids
            sql = (f"SELECT count(*), {', '.join(f'group_concat({c})' for c in columns)}, group_concat(id)"
                   f" FROM spans WHERE {where}")
            count, *texts = self._conn.execute(sql, [*args, *where_args]).fetchone()
            got = [np.fromstring(t, dtype=np.int64, sep=",") if count else np.zeros(0, dtype=np.int64)
                   for t in texts]
            if any(c.size != count for c in got):
                raise ProjectError(f"{self.path}: could not read the spans of documents {documents}")
            cols = _index_order(got, annotators, layers)
        else:
            low, high = self._conn.execute("SELECT min(id), max(id) FROM spans").fetchone()
            parts: list[list[np.ndarray]] = []
            step = 1 << 20
            sql = (f"SELECT count(*), {', '.join(f'group_concat({c})' for c in columns)} FROM spans"
                   f" WHERE id >= ? AND id < ? AND {where}")
            for lo in range(low or 0, (high or -1) + 1, step):
                # one range of ids: the rows in id order, each column's numbers joined by commas
                count, *texts = self._conn.execute(sql, [*args, lo, lo + step, *where_args]).fetchone()
                if not count:
                    continue
                got = [np.fromstring(t, dtype=np.int64, sep=",") for t in texts]
                if any(c.size != count for c in got):
                    raise ProjectError(f"{self.path}: could not read the spans of ids {lo} to {lo + step - 1}")
                parts.append(got)
            cols = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
                    for k in range(4)]
        code, start, end_label, layer = cols
        mine = code >= 0
        if not mine.all():
            code, start, end_label, layer = code[mine], start[mine], end_label[mine], layer[mine]
        doc, ann = np.divmod(code, n)
        end, label = np.divmod(end_label, width)
        # each layer's own index of the label (-1: not one of that layer's)
        own = np.full((len(layers), width), -1, dtype=np.int64)
        for k, layer_labels in enumerate(labels):
            for i, lab in enumerate(layer_labels):
                own[k, every.index(lab) + 1] = i
        return layer, doc, ann, start, end, own[layer, label]


class SuggestionsMixin(StoreBase):
    """The ``suggestions``, ``suggestion_runs`` and ``suggestion_decisions`` tables."""

    def set_suggestions(
        self, document_id: int, spans: Sequence[Span], suggester: str, version: str, *, validate: bool = True,
        carry_for: str | None = None,
    ) -> int:
        """Replace ``suggester``'s suggestions on a document and record the run
        (text hash + version) so unchanged documents are skipped next time.
        ``carry_for`` (a memory view's annotator) also carries that annotator's
        decisions on the shared sets over to the new suggestions.

        Annotators' accept/reject decisions follow a suggestion that comes
        back with the same (layer, start, end, label), so a rejected suggestion
        does not return as pending after a re-run; decisions on suggestions that
        are gone go with them.  Returns how many decisions were kept.
        """
        text = self.get_text(document_id)
        with self.transaction():
            decided: dict[tuple[str, int, int, str], list[tuple[Any, ...]]] = {}
            for layer, start, end, label, who, decision, span_id, created in self._conn.execute(
                'SELECT g.layer, g.start, g."end", g.label, x.annotator, x.decision, x.span_id, x.created'
                " FROM suggestions g JOIN suggestion_decisions x ON x.suggestion_id = g.id"
                " WHERE g.document_id = ? AND g.suggester = ?",
                (document_id, suggester),
            ):
                decided.setdefault((layer, start, end, label), []).append((who, decision, span_id, created))
            if carry_for is not None:
                # a memory view replaces the shared sets for one annotator: their decisions
                # on the shared suggestions follow, so nothing they decided comes back pending
                for key, (decision, span_id, created) in learning.shared_decisions(
                        self._conn, document_id, carry_for).items():
                    mine = decided.setdefault(key, [])
                    if not any(who == carry_for for who, *_ in mine):
                        mine.append((carry_for, decision, span_id, created))
            self._conn.execute("DELETE FROM suggestions WHERE document_id = ? AND suggester = ?",
                              (document_id, suggester))
            kept = 0
            for s in spans:
                if validate:
                    self._check_span(document_id, s, text)
                cur = self._conn.execute(
                    'INSERT INTO suggestions(document_id, layer, start, "end", label, origin, score, suggester, version)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (document_id, s.layer, s.start, s.end, s.label, s.origin, s.score, suggester, version),
                )
                for who, decision, span_id, created in decided.pop((s.layer, s.start, s.end, s.label), ()):
                    self._conn.execute(
                        "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id,"
                        " created) VALUES (?, ?, ?, ?, ?)",
                        (cur.lastrowid, who, decision, span_id, created),
                    )
                    kept += 1
            self._conn.execute(
                "INSERT OR REPLACE INTO suggestion_runs(document_id, suggester, version, content_hash, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (document_id, suggester, version, stored_hash(content_hash(text)), now()),
            )
            return kept

    def suggestion_runs(self, suggester: str, documents: Sequence[int] | None = None) -> dict[int, tuple[str, str]]:
        """``{document_id: (version, content_hash)}`` of the suggester's last runs (on
        ``documents`` only, when given)."""
        sql = "SELECT document_id, version, content_hash FROM suggestion_runs WHERE suggester = ?"
        if documents is None:
            return {r[0]: (r[1], hash_hex(r[2])) for r in self._conn.execute(sql, (suggester,))}
        out: dict[int, tuple[str, str]] = {}
        for chunk in id_chunks(documents):
            out.update({r[0]: (r[1], hash_hex(r[2])) for r in self._conn.execute(
                f"{sql} AND document_id IN ({marks(len(chunk))})", (suggester, *chunk))})
        return out

    def suggestions(
        self, document_id: int, layer: str | None = None, *, pending_for: str | None = None,
        viewer: str | None = None,
    ) -> list[Span]:
        """Machine suggestions on a document as ``viewer`` (default: ``pending_for``)
        sees them: their memory view where one exists, else the shared sets; with
        no viewer, the shared sets only.  With ``pending_for``, only those that
        annotator has neither accepted nor rejected."""
        sql = f"SELECT {', '.join('g.' + c.strip() for c in _SUGG_COLS.split(','))} FROM suggestions g WHERE g.document_id = ?"
        args: list[Any] = [document_id]
        viewer = viewer if viewer is not None else pending_for
        if viewer is None:
            sql += " AND " + learning.shared_filter("g")
        else:
            sql += " AND " + learning.viewer_filter("g")
            args += [learning.memory_suggester(viewer)] * 2
        if layer is not None:
            sql += " AND g.layer = ?"
            args.append(layer)
        if pending_for is not None:
            sql += " AND NOT EXISTS (SELECT 1 FROM suggestion_decisions x WHERE x.suggestion_id = g.id AND x.annotator = ?)"
            args.append(pending_for)
        rows = self._conn.execute(sql + ' ORDER BY g.start, g."end", g.layer, g.id', args).fetchall()
        return [_suggestion_from_row(r) for r in rows]

    def get_suggestion(self, suggestion_id: int) -> Span:
        """One suggestion by id."""
        row = self._conn.execute(f"SELECT {_SUGG_COLS} FROM suggestions WHERE id = ?", (suggestion_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no suggestion {suggestion_id}")
        return _suggestion_from_row(row)

    def accept_suggestion(self, suggestion_id: int, annotator: str, label: str | None = None, *,
                          uid: str | None = None) -> int:
        """Copy a suggestion into ``annotator``'s spans (optionally relabelled; under ``uid``
        when re-doing an accept that was undone); returns the new span id."""
        annotator = annotator_name(annotator)
        with self.transaction():
            sug = self.get_suggestion(suggestion_id)
            new = sug.with_(label=label or sug.label, annotator=annotator, id=None)
            self.schema.check_span(new.layer, new.label)
            # A stored suggestion's offsets were checked against the (immutable)
            # text when it was stored: skip re-reading a long text per accept.
            span_id = self.add_span(sug.document_id or 0, new, annotator, validate=False, uid=uid)
            self._conn.execute(
                "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                " VALUES (?, ?, 'accepted', ?, ?)",
                (suggestion_id, annotator, span_id, now()),
            )
            self._log("accept_suggestion", annotator, sug.document_id, suggestion_id=suggestion_id, span_id=span_id)
            return span_id

    def reject_suggestion(self, suggestion_id: int, annotator: str) -> None:
        """Record that ``annotator`` rejected a suggestion (it stops being pending)."""
        with self.transaction():
            sug = self.get_suggestion(suggestion_id)
            annotator = self._ensure_annotator(annotator)
            self._conn.execute(
                "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                " VALUES (?, ?, 'rejected', NULL, ?)",
                (suggestion_id, annotator, now()),
            )
            self._log("reject_suggestion", annotator, sug.document_id, suggestion_id=suggestion_id)

    def undo_decision(self, suggestion_id: int, annotator: str) -> None:
        """Forget a decision (undo of accept removes the span it made too)."""
        with self.transaction():
            row = self._conn.execute(
                "SELECT span_id, decision FROM suggestion_decisions WHERE suggestion_id = ? AND annotator = ?",
                (suggestion_id, annotator),
            ).fetchone()
            if row is None:
                return
            if row[0] is not None:
                self.delete_span(int(row[0]))
            self._conn.execute("DELETE FROM suggestion_decisions WHERE suggestion_id = ? AND annotator = ?",
                              (suggestion_id, annotator))
            self._log("undo_decision", annotator, None, suggestion_id=suggestion_id, decision=row[1])

    def suggestion_decisions(self, document_id: int, annotator: str) -> dict[int, str]:
        """``{suggestion_id: 'accepted'|'rejected'}`` for one annotator on a document
        (on the suggestions they see: their memory view where one exists)."""
        mine = learning.memory_suggester(annotator)
        return {r[0]: r[1] for r in self._conn.execute(
            "SELECT x.suggestion_id, x.decision FROM suggestion_decisions x JOIN suggestions g ON g.id = x.suggestion_id"
            f" WHERE g.document_id = ? AND x.annotator = ? AND {learning.viewer_filter('g')}",
            (document_id, annotator, mine, mine))}

    def suggested_document_ids(self, suggester: str | None = None, *, viewer: str | None = None) -> set[int]:
        """Documents a suggester (any, unless named) has run on, among the sets
        ``viewer`` sees (default: the shared sets)."""
        sql = "SELECT DISTINCT document_id FROM suggestion_runs g WHERE "
        args: tuple[Any, ...] = ()
        if viewer is None:
            sql += learning.shared_filter("g")
        else:
            sql += learning.viewer_filter("g")
            args = (learning.memory_suggester(viewer),) * 2
        if suggester is not None:
            sql += " AND suggester = ?"
            args += (suggester,)
        return {r[0] for r in self._conn.execute(sql, args)}

    def suggestion_triples(
        self, document_id: int, layer: str, *, suggester: str | None = None, min_score: float | None = None,
        viewer: str | None = None,
    ) -> set[tuple[int, int, str]]:
        """``{(start, end, label)}`` of a document's suggestions on ``layer`` as ``viewer`` sees them
        (default: the shared sets; one suggester's, scored at least ``min_score`` when given): what
        evaluation scores."""
        sql = 'SELECT start, "end", label FROM suggestions g WHERE document_id = ? AND layer = ? AND '
        args: list[Any] = [document_id, layer]
        if viewer is None:
            sql += learning.shared_filter("g")
        else:
            sql += learning.viewer_filter("g")
            args += [learning.memory_suggester(viewer)] * 2
        if suggester is not None:
            sql += " AND suggester = ?"
            args.append(suggester)
        if min_score is not None:
            sql += " AND coalesce(score, 0) >= ?"
            args.append(min_score)
        return {(int(a), int(b), str(c)) for a, b, c in self._conn.execute(sql, args)}
