"""The editing domain without Qt: what one annotator's edits do to a project.

- :mod:`~annotator.editing.items`: :class:`Item`, :data:`Key`, :data:`SPAN`, :data:`SUGGESTION`
- :mod:`~annotator.editing.order`: :class:`ReadingOrder`, the incremental reading-order index
- :mod:`~annotator.editing.aliases`: :class:`IdAliases`, logical span ids surviving undo and redo
- :mod:`~annotator.editing.rules`: the overlap rule and the accept-all selection
- :mod:`~annotator.editing.operations`: operations returning a :class:`Change` with their inverse
- :mod:`~annotator.editing.editor`: :class:`Editor`, the open document and the ``plan_*`` checks

It imports ``core`` and ``store``, never Qt, spaCy or the GUI (import-linter
contracts); ``annotator.gui.session`` adapts it to Qt signals and an undo stack.
"""

from annotator.editing.aliases import IdAliases
from annotator.editing.document import EditedDocument
from annotator.editing.editor import Edit, Editor, Loader, NoEdit, Plan, store_loader
from annotator.editing.items import REL, REL_SUGGESTION, SPAN, SUGGESTION, Item, Key, RelKey, SpanLike, make_item
from annotator.editing.operations import (
    Accept,
    AddSpan,
    Applied,
    Change,
    DeleteSpan,
    Operation,
    Reject,
    SetAnswer,
    SetStatus,
    Steps,
    Unaccept,
    Unreject,
    UpdateSpan,
)
from annotator.editing.order import ReadingOrder
from annotator.editing.relation_ops import (
    AcceptRelation,
    AddRelation,
    DeleteRelation,
    RejectRelation,
    RelabelRelation,
    RestoreRelation,
    UnacceptRelation,
    UnrejectRelation,
)
from annotator.editing.rules import accept_all_selection, conflicts, overlap_refusal, overlapping

__all__ = [
    "REL", "REL_SUGGESTION", "RelKey", "AcceptRelation", "AddRelation", "DeleteRelation", "RejectRelation",
    "RelabelRelation", "RestoreRelation", "UnacceptRelation", "UnrejectRelation",
    "SPAN", "SUGGESTION", "Accept", "AddSpan", "Applied", "Change", "DeleteSpan", "Edit", "EditedDocument",
    "Editor", "IdAliases", "Item", "Key", "Loader", "NoEdit", "Operation", "Plan", "ReadingOrder", "Reject",
    "SetAnswer", "SetStatus", "SpanLike", "Steps", "Unaccept", "Unreject", "UpdateSpan", "accept_all_selection",
    "conflicts", "make_item", "overlap_refusal", "overlapping", "store_loader",
]
