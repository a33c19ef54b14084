"""The knowledge base in the GUI (docs/kb.md): the entity box of the side panel,
the knowledge-base browser and the story view; ``wiring.install_kb`` adds them to
the main window."""
