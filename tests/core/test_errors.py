"""Error codes are data on the exception: one code per kind of error, printed in
front of the message, never parsed back out of the text."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import annotator
from annotator.core.errors import AnnotatorError, InputError, NotFoundError, OffsetError, SchemaError, detail
from annotator.formats import import_paths


def _all_error_classes() -> list[type[AnnotatorError]]:
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if ".gui" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    seen: list[type[AnnotatorError]] = []
    todo = [AnnotatorError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in seen if c.__module__.startswith("annotator.")]


def test_every_error_class_has_its_own_code() -> None:
    classes = _all_error_classes()
    assert len(classes) >= 12  # the core six and those of formats, nlp and review
    codes: dict[str, str] = {}
    for cls in classes:
        assert re.fullmatch(r"E\d{3}", cls.code), cls
        assert cls.code not in codes, f"{cls.__qualname__} repeats {cls.code} of {codes[cls.code]}"
        codes[cls.code] = cls.__qualname__


def test_the_code_is_printed_in_front_and_the_detail_has_none() -> None:
    exc = OffsetError("span 3-9 does not fit")
    assert exc.code == "E001"
    assert exc.detail == "span 3-9 does not fit"
    assert str(exc) == "[E001] span 3-9 does not fit"
    missing = NotFoundError("no document 7")
    assert (missing.code, missing.detail, str(missing)) == ("E005", "no document 7", "[E005] no document 7")
    where = InputError("broken JSON", "a.jsonl", 2)
    assert (where.detail, where.message, str(where)) == ("a.jsonl:2: broken JSON", "broken JSON",
                                                          "[E003] a.jsonl:2: broken JSON")
    assert detail(SchemaError("no layer x")) == "no layer x"
    assert detail(ValueError("plain")) == "plain"


@pytest.mark.parametrize(("name", "line", "what"), [
    ("range.jsonl", '{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "PER"}]}\n', "does not fit"),
    ("answer.jsonl", '{"text": "abc", "labels": {"stance": "MAYBE"}}\n', "MAYBE"),
])
def test_a_wrapped_error_carries_one_code(project, tmp_path: Path, name: str, line: str, what: str) -> None:
    # the reader wraps the OffsetError/SchemaError in an InputError naming file and line:
    # its text must quote the inner message without the inner code
    path = tmp_path / name
    path.write_text(line, encoding="utf-8")
    [failed] = import_paths(project, [path]).failed
    assert failed.error.startswith(f"[E003] {path}:1: ")
    assert what in failed.error
    assert len(re.findall(r"\[E\d{3}\]", failed.error)) == 1
