"""Label schemas: which layers, labels, colours, hotkeys and document questions
a project uses.  A schema is a TOML file in ``resources/schemas/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from annotator.core.errors import SchemaError
from annotator.core.relations import RelationType, parse_relation_type, relation_type_dict
from annotator.paths import resource_path

_STYLES = ("background", "underline")


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a span layer."""

    name: str
    colour: str
    hotkey: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Layer:
    """A span layer (``entities``, ``cues``): labels and how it is drawn."""

    name: str
    labels: tuple[Label, ...]
    allow_overlap: bool = False
    style: str = "background"
    description: str = ""

    def label(self, name: str) -> Label:
        """The label called ``name``; :class:`SchemaError` if absent."""
        for lab in self.labels:
            if lab.name == name:
                return lab
        raise SchemaError(f"label {name!r} is not in layer {self.name!r} (labels: {', '.join(self.label_names)})")

    @property
    def label_names(self) -> tuple[str, ...]:
        """Names of the labels in order."""
        return tuple(lab.name for lab in self.labels)


@dataclass(frozen=True, slots=True)
class Question:
    """A document-level question such as ``stance``."""

    name: str
    values: tuple[str, ...]
    target: str | None = None  # "entity": the answer names an entity of the article
    free_text: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class LabelSchema:
    """A project's label set."""

    name: str
    layers: tuple[Layer, ...]
    questions: tuple[Question, ...] = ()
    label_map: Mapping[str, str] = field(default_factory=dict)
    relations: tuple[RelationType, ...] = ()

    def relation(self, name: str) -> RelationType:
        """The relation type called ``name``; :class:`SchemaError` if absent."""
        for rt in self.relations:
            if rt.name == name:
                return rt
        raise SchemaError(f"relation {name!r} is not in schema {self.name!r} "
                          f"(relations: {', '.join(r.name for r in self.relations) or 'none'})")

    def layer(self, name: str) -> Layer:
        """The layer called ``name``; :class:`SchemaError` if absent."""
        for lay in self.layers:
            if lay.name == name:
                return lay
        raise SchemaError(f"layer {name!r} is not in schema {self.name!r} (layers: {', '.join(self.layer_names)})")

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Names of the layers in order."""
        return tuple(lay.name for lay in self.layers)

    def question(self, name: str) -> Question:
        """The question called ``name``; :class:`SchemaError` if absent."""
        for q in self.questions:
            if q.name == name:
                return q
        raise SchemaError(f"question {name!r} is not in schema {self.name!r}")

    def check_span(self, layer: str, label: str) -> None:
        """Raise :class:`SchemaError` unless ``label`` belongs to ``layer``."""
        self.layer(layer).label(label)

    def check_answer(self, question: str, value: str) -> None:
        """Raise :class:`SchemaError` unless ``value`` answers ``question``."""
        q = self.question(question)
        if not q.free_text and value not in q.values:
            raise SchemaError(f"{value!r} is not an answer to {question!r} (answers: {', '.join(q.values)})")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<schema>") -> LabelSchema:
        """Build a schema from parsed TOML; errors name ``source``."""
        try:
            name = str(data.get("name") or Path(source).stem)
            layers = []
            for lname, ldata in (data.get("layers") or {}).items():
                style = ldata.get("style", "background")
                if style not in _STYLES:
                    raise SchemaError(f"{source}: layer {lname!r} has style {style!r}; use one of {_STYLES}")
                labels = tuple(
                    Label(
                        name=str(lab["name"]),
                        colour=str(lab.get("colour", "#999999")),
                        hotkey=str(lab.get("hotkey", "")),
                        description=str(lab.get("description", "")),
                    )
                    for lab in ldata.get("labels", [])
                )
                if not labels:
                    raise SchemaError(f"{source}: layer {lname!r} has no labels")
                names = [lab.name for lab in labels]
                if len(set(names)) != len(names):
                    raise SchemaError(f"{source}: layer {lname!r} repeats a label")
                layers.append(
                    Layer(
                        name=lname,
                        labels=labels,
                        allow_overlap=bool(ldata.get("allow_overlap", False)),
                        style=style,
                        description=str(ldata.get("description", "")),
                    )
                )
            if not layers:
                raise SchemaError(f"{source}: a schema needs at least one layer")
            questions = tuple(
                Question(
                    name=qname,
                    values=tuple(str(v) for v in qdata.get("values", [])),
                    target=qdata.get("target"),
                    free_text=bool(qdata.get("free_text", False)),
                    description=str(qdata.get("description", "")),
                )
                for qname, qdata in (data.get("questions") or {}).items()
            )
            labels_of = {lay.name: lay.label_names for lay in layers}
            relations = tuple(parse_relation_type(str(rname), rdata, source, labels_of)
                              for rname, rdata in (data.get("relations") or {}).items())
            return cls(
                name=name,
                layers=tuple(layers),
                questions=questions,
                label_map={str(k): str(v) for k, v in (data.get("label_map") or {}).items()},
                relations=relations,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise SchemaError(f"{source}: malformed schema ({exc})") from exc

    @classmethod
    def load(cls, name_or_path: str | Path = "news") -> LabelSchema:
        """Load a schema by name (from ``resources/schemas``) or by file path."""
        path = Path(name_or_path)
        if not path.suffix:
            path = resource_path("schemas", f"{name_or_path}.toml")
        if not path.is_file():
            raise SchemaError(f"no schema file {path}")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SchemaError(f"{path}: {exc}") from exc
        return cls.from_dict(data, str(path))

    def to_toml_dict(self) -> dict[str, Any]:
        """A dict that :meth:`from_dict` reads back (stored in the project file)."""
        return {
            "name": self.name,
            "layers": {
                lay.name: {
                    "allow_overlap": lay.allow_overlap,
                    "style": lay.style,
                    "description": lay.description,
                    "labels": [
                        {"name": lab.name, "colour": lab.colour, "hotkey": lab.hotkey, "description": lab.description}
                        for lab in lay.labels
                    ],
                }
                for lay in self.layers
            },
            "questions": {
                q.name: {
                    "values": list(q.values),
                    **({"target": q.target} if q.target else {}),
                    "free_text": q.free_text,
                    "description": q.description,
                }
                for q in self.questions
            },
            "label_map": dict(self.label_map),
            **({"relations": {rt.name: relation_type_dict(rt) for rt in self.relations}} if self.relations else {}),
        }
