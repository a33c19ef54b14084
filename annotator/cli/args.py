"""Argument types shared by the command modules (no commands here)."""

from __future__ import annotations

import argparse


def at_least_one(value: str) -> int:
    """argparse type: a whole number of at least 1, with a one-line error otherwise."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number
