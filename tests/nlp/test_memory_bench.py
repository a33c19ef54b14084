"""``benchmarks.memory_refresh`` runs and measures what it says (small sizes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import memory_refresh
from tests.demo import make_demo


def test_memory_refresh_benchmark_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = tmp_path / "demo.db"
    make_demo(demo)
    assert memory_refresh.main(["--documents", "30", "--cache", str(tmp_path / "cache"), "--project", str(demo),
                                "--baseline", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["same_suggestions"] is True and out["sampled_documents"] == 30
    assert out["largest_surface_observations"] > 30  # a surface decided in many documents
    # the window after document 1 (2 and 3 here), then nothing new; the whole project likewise
    assert out["gui_documents"] == 2 and out["whole_project_documents"] == 0
    assert {"judge_ms_per_document", "one_by_one_ms_per_document", "gui_refresh_s", "gui_refresh_again_s",
            "whole_project_refresh_s", "whole_project_file_growth_mb"} <= set(out)
