"""spaCy stays inside annotator/nlp (and annotator/formats, which writes DocBin files):
core, store, review, cli and gui never import it at module level."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT

# module-level imports only: a background job may import spaCy lazily (the GUI's warm-up does)
_IMPORT = re.compile(r"^(?:import|from)\s+(spacy|thinc)\b", re.MULTILINE)


def test_layering_only_nlp_and_formats_import_spacy():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "annotator").rglob("*.py")
        if path.relative_to(ROOT / "annotator").parts[0] not in ("nlp", "formats")
        and _IMPORT.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_layering_cli_parser_does_not_load_spacy():
    code = "import sys, annotator.cli as c; c.build_parser(); print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
