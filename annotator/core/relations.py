"""Relations between two spans: types (from the schema), stored relations and suggested ones.

A relation joins a *head* span to a *child* span of the same annotator and
document (``SPEAKER``: a QUOTE cue → the PER who said it).  Stored relations
name their endpoints by span uid, so moving or relabelling a span keeps them;
suggested relations name them by offsets (layer, start, end), because the spans
they join may themselves be suggestions not yet accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from annotator.core.errors import SchemaError


@dataclass(frozen=True, slots=True)
class RelationType:
    """One relation label of the schema: allowed endpoints, colour and hotkey.

    ``head`` and ``child`` map a layer to the labels allowed in it (an empty
    tuple: any label of that layer)."""

    name: str
    head: Mapping[str, tuple[str, ...]]
    child: Mapping[str, tuple[str, ...]]
    colour: str = "#0072B2"
    hotkey: str = ""
    description: str = ""

    def allows(self, end: str, layer: str, label: str) -> bool:
        """True when a span of ``layer``/``label`` may be the ``end`` ("head" or "child")."""
        allowed = (self.head if end == "head" else self.child).get(layer)
        return allowed is not None and (not allowed or label in allowed)

    def check(self, head: tuple[str, str], child: tuple[str, str]) -> None:
        """Raise :class:`SchemaError` unless ``(layer, label)`` pairs fit as head and child."""
        for end, (layer, label) in (("head", head), ("child", child)):
            if not self.allows(end, layer, label):
                want = self.head if end == "head" else self.child
                shown = "; ".join(f"{lay}: {', '.join(labs) or 'any'}" for lay, labs in want.items())
                raise SchemaError(f"a {self.name} relation cannot have a {layer} {label} span as its {end} "
                                  f"(allowed: {shown})")


def parse_relation_type(name: str, data: Mapping[str, Any], source: str, layers: Mapping[str, tuple[str, ...]]
                        ) -> RelationType:
    """A :class:`RelationType` from its TOML table; ``layers`` maps each layer to its labels
    (an endpoint naming a layer or label the schema lacks is an error naming ``source``)."""

    def ends(key: str) -> dict[str, tuple[str, ...]]:
        raw = data.get(key)
        if not isinstance(raw, Mapping) or not raw:
            raise SchemaError(f"{source}: relation {name!r} needs a {key} table, e.g. {key} = {{ entities = [\"PER\"] }}")
        out: dict[str, tuple[str, ...]] = {}
        for layer, labels in raw.items():
            if layer not in layers:
                raise SchemaError(f"{source}: relation {name!r} {key}: no layer {layer!r}")
            labels = tuple(str(x) for x in (labels or ()))
            bad = [x for x in labels if x not in layers[layer]]
            if bad:
                raise SchemaError(f"{source}: relation {name!r} {key}: {', '.join(bad)} not in layer {layer!r}")
            out[str(layer)] = labels
        return out

    return RelationType(name=name, head=ends("head"), child=ends("child"), colour=str(data.get("colour", "#0072B2")),
                        hotkey=str(data.get("hotkey", "")), description=str(data.get("description", "")))


def relation_type_dict(rt: RelationType) -> dict[str, Any]:
    """The TOML table of a relation type (read back by :func:`parse_relation_type`)."""
    return {"head": {k: list(v) for k, v in rt.head.items()}, "child": {k: list(v) for k, v in rt.child.items()},
            "colour": rt.colour, "hotkey": rt.hotkey, "description": rt.description}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One end of a relation by position: a span's layer, offsets and label."""

    layer: str
    start: int
    end: int
    label: str = ""

    @property
    def extent(self) -> tuple[int, int]:
        """``(start, end)``: what evaluation compares."""
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Relation:
    """A stored relation: ``head`` and ``child`` are span ids in this file, ``head_uid`` and
    ``child_uid`` the spans' identities that travel between files.  The endpoints' current
    extents ride along (``head_end``, ``child_end``) so a reader needs no second query."""

    label: str
    head: int
    child: int
    uid: str = ""
    head_uid: str = ""
    child_uid: str = ""
    annotator: str | None = None
    origin: str = "human"
    score: float | None = None
    id: int | None = None
    document_id: int | None = None
    head_end: Endpoint | None = None
    child_end: Endpoint | None = None

    def with_(self, **changes: Any) -> Relation:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def key(self) -> tuple[tuple[int, int], tuple[int, int], str]:
        """``((head start, end), (child start, end), label)``: identity for evaluation and agreement."""
        assert self.head_end is not None and self.child_end is not None
        return (self.head_end.extent, self.child_end.extent, self.label)


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    """A machine-suggested relation between two spans named by position."""

    label: str
    head: Endpoint
    child: Endpoint
    origin: str = "rule:attribution"
    score: float | None = None
    id: int | None = None
    document_id: int | None = None

    @property
    def key(self) -> tuple[tuple[int, int], tuple[int, int], str]:
        """``((head start, end), (child start, end), label)``."""
        return (self.head.extent, self.child.extent, self.label)


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation as a file carries it: the label and its two spans by position (both spans
    are among the same record's spans)."""

    label: str
    head: Endpoint
    child: Endpoint

    @property
    def key(self) -> tuple[tuple[int, int], tuple[int, int], str]:
        """``((head start, end), (child start, end), label)``."""
        return (self.head.extent, self.child.extent, self.label)


def endpoint_of(span: Any) -> Endpoint:
    """The :class:`Endpoint` of a span (anything with layer, start, end, label)."""
    return Endpoint(span.layer, span.start, span.end, span.label)
