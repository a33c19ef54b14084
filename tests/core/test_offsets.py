"""Offsets: validation and the UTF-16 boundary helper."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core import OffsetError, Span, Utf16Map, validate_offsets


def test_offsets_validate_rejects_out_of_range():
    with pytest.raises(OffsetError):
        validate_offsets("abc", 0, 4)
    with pytest.raises(OffsetError):
        validate_offsets("abc", 2, 2)
    with pytest.raises(OffsetError):
        validate_offsets("abc", -1, 2)
    with pytest.raises(OffsetError):
        validate_offsets("abc", True, 2)
    validate_offsets("abc", 0, 3)


@given(st.text(min_size=1), st.integers(-5, 50), st.integers(-5, 50))
def test_offsets_validate_matches_definition(text, start, end):
    ok = 0 <= start < end <= len(text)
    if ok:
        validate_offsets(text, start, end)
        assert Span(start, end, "PER").text_in(text) == text[start:end]
    else:
        with pytest.raises(OffsetError):
            validate_offsets(text, start, end)


@given(st.text())
def test_offsets_utf16_round_trip(text):
    m = Utf16Map(text)
    encoded = text.encode("utf-16-le")
    assert m.length_utf16 == len(encoded) // 2
    for cp in range(len(text) + 1):
        u16 = m.to_utf16(cp)
        # the UTF-16 prefix up to u16 decodes to exactly text[:cp]
        assert encoded[: 2 * u16].decode("utf-16-le") == text[:cp]
        assert m.to_codepoint(u16) == cp


def test_offsets_utf16_after_flag_emoji():
    text = "🇮🇩 Jokowi berkata"
    m = Utf16Map(text)
    start = text.index("Jokowi")
    assert start == 3
    assert m.to_utf16(start) == 5
    assert m.to_codepoint(5) == 3
    # an offset inside a surrogate pair rounds down to its character
    assert m.to_codepoint(1) == 0
    assert m.to_codepoint(3) == 1
