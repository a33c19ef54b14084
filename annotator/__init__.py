"""annotator: a desktop tool for labeling news articles (entities and stance cues)."""

__version__ = "0.1.0"
