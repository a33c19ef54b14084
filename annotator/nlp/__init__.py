"""spaCy-based suggestions: entities and stance cues (see docs/nlp.md).

- :mod:`annotator.nlp.suggest`: ``suggest_project`` (the entry point for CLI and GUI)
- :mod:`annotator.nlp.pipeline`: ``load_pipeline`` (default rules pipeline or an installed model)
- :mod:`annotator.nlp.entities`, :mod:`annotator.nlp.cues`: the rules and the cue lexicon
- :mod:`annotator.nlp.merge`: precedence when rule and model spans meet
- :mod:`annotator.nlp.evaluate`: scores against a reference annotator
- :mod:`annotator.nlp.base`: the ``Suggester`` protocol

Importing this package does not import spaCy; its submodules do.
"""
