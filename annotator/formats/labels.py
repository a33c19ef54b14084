"""Label names for formats with one flat label set (brat, doccano).

A label that belongs to one layer only keeps its name (``PER``); a name used
by several layers is written ``LAYER_LABEL`` so it stays unambiguous.  Readers
map names back through the schema, then through its ``label_map`` (``PERSON``
-> ``PER``) onto the entity layer.
"""

from __future__ import annotations

from typing import Any


def _owners(schema: Any) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for layer in schema.layers:
        for name in layer.label_names:
            owners.setdefault(name, []).append(layer.name)
    return owners


def flat_label(schema: Any, layer: str, label: str) -> str:
    """The flat name of ``label`` of ``layer``."""
    owners = _owners(schema).get(label, [])
    return label if owners == [layer] or (not owners and layer == "entities") else f"{layer}_{label}"


def unflatten(schema: Any, name: str, default_layer: str = "entities") -> tuple[str, str] | None:
    """``(layer, label)`` for a flat name, or None when the schema has no such label."""
    owners = _owners(schema)
    if len(owners.get(name, [])) == 1:
        return owners[name][0], name
    for layer in schema.layers:
        prefix = f"{layer.name}_"
        if name.startswith(prefix) and name[len(prefix):] in layer.label_names:
            return layer.name, name[len(prefix):]
    if name in owners.get(name, []) or default_layer in owners.get(name, []):
        return default_layer, name
    mapped = schema.label_map.get(name)
    if mapped is not None and default_layer in schema.layer_names and mapped in schema.layer(default_layer).label_names:
        return default_layer, mapped
    return None


def map_label(schema: Any, layer: str, label: str) -> str | None:
    """``label`` if ``layer`` has it, else its ``label_map`` image if that fits, else None."""
    if layer not in schema.layer_names:
        return None
    names = schema.layer(layer).label_names
    if label in names:
        return label
    mapped = schema.label_map.get(label)
    return mapped if mapped in names else None
