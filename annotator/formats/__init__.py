"""Import and export of articles and annotations.

Importing a submodule registers its readers/writers; the list below is the
set of built-in formats.  spaCy is only imported inside the functions that
need it, so importing this package stays fast.
"""

from annotator.formats import (  # noqa: F401
    brat,
    conll,
    conll_export,
    conllu,
    doccano,
    labelstudio,
    native,
    prodigy,
    spacy_format,
    text,
)
from annotator.formats.base import ImportRecord, ImportReport, ReadOptions, readers, register_reader
from annotator.formats.export import ExportError, ExportReport, export_project, register_writer, writers
from annotator.formats.project_io import import_paths

__all__ = [
    "ExportError", "ExportReport", "ImportRecord", "ImportReport", "ReadOptions", "export_project",
    "import_paths", "readers", "register_reader", "register_writer", "writers",
]
