"""Pure domain: documents, spans, answers, schemas, offsets, errors (no Qt, no spaCy)."""

from annotator.core.errors import (
    AnnotatorError,
    InputError,
    NotFoundError,
    OffsetError,
    ProjectError,
    SchemaError,
)
from annotator.core.model import (
    DEFAULT_LAYER,
    GOLD,
    STATES,
    Answer,
    Document,
    DocumentInfo,
    Span,
    content_hash,
)
from annotator.core.offsets import Utf16Map, validate_offsets
from annotator.core.schema import Label, LabelSchema, Layer, Question

__all__ = [
    "AnnotatorError", "InputError", "NotFoundError", "OffsetError", "ProjectError", "SchemaError",
    "DEFAULT_LAYER", "GOLD", "STATES", "Answer", "Document", "DocumentInfo", "Span", "content_hash",
    "Utf16Map", "validate_offsets", "Label", "LabelSchema", "Layer", "Question",
]
