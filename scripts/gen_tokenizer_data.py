"""Regenerate ``resources/tokenizer/id.json`` from spaCy's Indonesian tokenizer.

``annotator.core.tokens`` re-implements spaCy's tokenizer algorithm in pure
Python (the GUI thread must not load spaCy), driven by the same prefix, suffix,
infix and URL patterns and the same exceptions, dumped here.  Run after a
spaCy upgrade:  ``python scripts/gen_tokenizer_data.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.symbols import ORTH


def main() -> None:
    nlp = spacy.blank("id")
    tok = nlp.tokenizer
    single: list[str] = []
    multi: dict[str, list[str]] = {}
    for key, pieces in sorted(tok.rules.items()):
        orths = [p[ORTH] for p in pieces]
        if orths == [key]:
            single.append(key)
        else:
            multi[key] = orths
    data = {
        "spacy_version": spacy.__version__,
        "prefix": tok.prefix_search.__self__.pattern,
        "suffix": tok.suffix_search.__self__.pattern,
        "infix": tok.infix_finditer.__self__.pattern,
        "url": tok.url_match.__self__.pattern if tok.url_match else None,
        "token_match": tok.token_match.__self__.pattern if tok.token_match else None,
        "special_single": single,
        "special_multi": multi,
    }
    out = Path(__file__).resolve().parent.parent / "resources" / "tokenizer" / "id.json"
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(single)} + {len(multi)} exceptions)")


if __name__ == "__main__":
    main()
