"""Build small projects with several annotators' work for review tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.model import Document, Span
from annotator.store import Project


def words_text(n_tokens: int, salt: int = 0) -> str:
    """``n`` two-letter tokens separated by spaces: token i covers [3i, 3i+2)."""
    return " ".join(f"{chr(97 + (i + salt) % 26)}{chr(97 + (i * 7 + salt) % 26)}" for i in range(n_tokens)) + f" z{salt}"


def tok_to_chars(start_tok: int, end_tok: int) -> tuple[int, int]:
    """Char offsets of tokens [start_tok, end_tok) of :func:`words_text`."""
    return 3 * start_tok, 3 * (end_tok - 1) + 2


def build(path: Path, texts: list[str], work: dict[str, dict[int, dict[str, Any]]]) -> tuple[Project, list[int]]:
    """A project with ``texts`` and, per annotator and document index, ``spans``
    [(start, end, label[, layer])] in chars, ``answers`` {question: value}, ``state``."""
    project = Project(path)
    ids = [project.add_document(Document(text=t, title=f"doc {i}"))[0] for i, t in enumerate(texts)]
    for ann, per_doc in work.items():
        project.add_annotator(ann)
        for idx, w in per_doc.items():
            doc_id = ids[idx]
            spans = [Span(s[0], s[1], s[2], layer=s[3] if len(s) > 3 else "entities") for s in w.get("spans", [])]
            if spans:
                project.add_spans(doc_id, spans, ann)
            for q, v in w.get("answers", {}).items():
                project.set_answer(doc_id, ann, q, v)
            if w.get("state"):
                project.set_status(doc_id, ann, w["state"])
    return project, ids
