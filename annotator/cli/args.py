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


def annotator_arg(value: str) -> str:
    """argparse type: an annotator name in its normal form (surrounding spaces
    dropped), with a one-line error for an empty or unusable name."""
    from annotator.core.model import annotator_name

    try:
        return annotator_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
