"""The store's tests run against both backends: ``project`` is opened once on a
file and once on a fresh PostgreSQL database (fixture ``target``)."""

from __future__ import annotations

import pytest

from annotator.store import Project


@pytest.fixture
def project(target):
    """An empty open project, on each backend."""
    with Project(target) as p:
        yield p
