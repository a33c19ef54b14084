"""Names that become paths: annotator names are free text ("a/b", "..",
"CON"), file names are not.  One helper maps names to file names that are safe
(no separator, no leading dot, no device name) and unique (also where case is
ignored), so an export never writes outside its folder or over itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

_UNSAFE = re.compile(r"[^\w.@+-]+")
#: Device names Windows refuses as file names (with any extension).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
#: Longest file-name stem made from a name.
MAX_STEM = 60


def safe_stem(name: str) -> str:
    """One name as a file-name stem (not yet unique): unsafe runs become ``_``."""
    # no leading dot (".." or a hidden file) and no trailing one (Windows drops it)
    stem = _UNSAFE.sub("_", name).strip("._")[:MAX_STEM].strip("._") or "annotator"
    return stem + "_" if stem.lower() in _RESERVED else stem


def safe_file_names(names: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """``{name: stem}`` with every stem safe and unique ignoring case, and none
    of ``taken``; a name keeps its own spelling when it is already safe, and
    collisions get ``-2``, ``-3``... in sorted order (stable between runs)."""
    used = {t.lower() for t in taken}
    out: dict[str, str] = {}
    ordered = sorted(set(names), key=lambda n: (safe_stem(n) != n, n))  # names already safe keep theirs
    for name in ordered:
        stem = base = safe_stem(name)
        n = 2
        while stem.lower() in used:
            stem = f"{base}-{n}"
            n += 1
        used.add(stem.lower())
        out[name] = stem
    return out


def renamed(mapping: dict[str, str]) -> list[str]:
    """``'a/b' -> a_b`` lines for the names whose file name differs from them (for reports)."""
    return [f"{name!r} -> {stem}" for name, stem in sorted(mapping.items()) if name != stem]


def is_project_file(path: str | Path, project: str | Path) -> bool:
    """True when writing ``path`` would write over the project file ``project``
    (or its ``-wal``/``-shm``/``-journal`` companion), or over a folder holding it."""
    target = Path(path).resolve()
    db = Path(project).resolve()
    if target in {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}:
        return True
    return target.is_dir() and db.is_relative_to(target)
