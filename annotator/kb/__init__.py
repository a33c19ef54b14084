"""The project knowledge base beyond storage: name matching (``names``), the linker
(``linker``), story grouping (``stories``), knowledge-base files (``files``) and the
operations the CLI and the GUI call (``service``).  No Qt, no spaCy; SQL only through
:class:`~annotator.store.Project` (docs/kb.md)."""
