"""The demo project the GUI and editing tests share: three short articles, A and C
with suggestions (Qt-free, so the editing tests can use it with PySide6 blocked)."""

from __future__ import annotations

from pathlib import Path

from annotator.core.model import Document, Span
from annotator.store import Project

TEXT_A = ("Presiden Joko Widodo bertemu Menteri Pertahanan Rusia Sergei Shoigu di Moskwa pada Senin.\n"
          "Shoigu mengatakan Rusia berkomitmen memperkuat hubungan militer dengan Indonesia.")
TEXT_B = "🇮🇩 Jokowi 👍 bertemu Prabowo di Jakarta.\nMereka membahas anggaran pertahanan."
TEXT_C = "Dewan Keamanan PBB mengecam kudeta militer di Myanmar pada Februari."


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Code-point offsets of the nth occurrence of ``needle``."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def suggestion(text: str, needle: str, label: str, layer: str = "entities", score: float = 0.8) -> Span:
    """A suggestion over the first ``needle`` in ``text``."""
    s, e = find(text, needle)
    return Span(s, e, label, layer, origin="rule:test", score=score)


def make_demo(path: Path) -> Path:
    """Create the demo project at ``path``."""
    with Project(path) as p:
        a, _ = p.add_document(Document(TEXT_A, title="Jokowi dan Shoigu", source="Kompas.com", published="2021-06-22"))
        b, _ = p.add_document(Document(TEXT_B, title="Emoji", source="Detik"))
        c, _ = p.add_document(Document(TEXT_C, title="Dewan Keamanan", source="Kompas.com"))
        p.set_suggestions(a, [
            suggestion(TEXT_A, "Joko Widodo", "PER"),
            suggestion(TEXT_A, "Rusia", "LOC", score=0.9),
            suggestion(TEXT_A, "Sergei Shoigu", "PER"),
            suggestion(TEXT_A, "Moskwa", "LOC"),
            suggestion(TEXT_A, "mengatakan", "REPORT", "cues", 0.7),
        ], suggester="test", version="1")
        p.set_suggestions(c, [suggestion(TEXT_C, "Dewan Keamanan PBB", "ORG"),
                              suggestion(TEXT_C, "Myanmar", "LOC")], suggester="test", version="1")
    return path
