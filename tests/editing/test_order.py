"""The reading-order index and the logical ids."""

from __future__ import annotations

import random

from annotator.editing import SPAN, SUGGESTION, IdAliases, ReadingOrder


def test_reading_order_is_start_then_longer_first_then_spans_before_suggestions():
    order = ReadingOrder([((SUGGESTION, 1), 5, 9), ((SPAN, 2), 5, 9), ((SPAN, 3), 5, 12), ((SPAN, 4), 0, 3)])
    assert order.keys() == [(SPAN, 4), (SPAN, 3), (SPAN, 2), (SUGGESTION, 1)]
    assert order.index((SPAN, 2)) == 2 and order.index((SPAN, 99)) is None
    assert order.position(5) == 1 and order.position(13) == 4


def test_reading_order_stays_sorted_under_random_adds_moves_and_removals():
    rnd = random.Random(7)
    order = ReadingOrder()
    extents: dict[tuple[str, int], tuple[int, int]] = {}
    for _ in range(2000):
        key = (rnd.choice((SPAN, SUGGESTION)), rnd.randrange(60))
        if key in extents and rnd.random() < 0.4:
            order.remove(key)
            del extents[key]
        else:
            start = rnd.randrange(500)
            extents[key] = (start, start + rnd.randrange(1, 40))
            order.add(key, *extents[key])
    expected = sorted(extents, key=lambda k: (extents[k][0], -extents[k][1], k[0] != SPAN, k))
    assert order.keys() == expected
    for start in range(0, 520, 7):  # the bisect window finds exactly the overlapping extents
        end = start + 1 + start % 13
        found = set(order.overlapping(start, end))
        assert found == {k for k, (a, b) in extents.items() if a < end and start < b}


def test_neighbour_is_the_next_item_or_the_previous_at_the_end():
    order = ReadingOrder([((SPAN, 1), 0, 2), ((SPAN, 2), 3, 5), ((SPAN, 3), 6, 8)])
    assert order.neighbour((SPAN, 1)) == (SPAN, 2)
    assert order.neighbour((SPAN, 3)) == (SPAN, 2)
    assert ReadingOrder([((SPAN, 1), 0, 2)]).neighbour((SPAN, 1)) is None


def test_aliases_map_a_logical_id_to_the_row_it_is_stored_under_now():
    ids = IdAliases()
    assert ids.real(5) == 5 and ids.logical(5) == 5  # never re-stored: its own id
    assert ids.bind(None, 7) == 7  # a new span: its first row id is its logical id
    assert ids.bind(7, 12) == 7  # stored again by a redo
    assert ids.real(7) == 12 and ids.logical(12) == 7
