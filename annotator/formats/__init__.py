"""Import and export of articles and annotations.

Importing a submodule registers its readers/writers; the list below is the
set of built-in formats.
"""

from annotator.formats import conll, text  # noqa: F401
from annotator.formats.base import ImportRecord, ImportReport, ReadOptions, import_paths, readers, register_reader

__all__ = ["ImportRecord", "ImportReport", "ReadOptions", "import_paths", "readers", "register_reader"]
