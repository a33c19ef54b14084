"""Issue 16 item 15: a new user's set-up is told what is missing: Qt's system
libraries, the shared test data, and `-m slow` runs real tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_qt_system_check_names_missing_libraries_and_their_packages(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ldd").write_text('#!/bin/sh\necho "\tlibxcb-cursor.so.0 => not found"\n'
                              'echo "\tlibc.so.6 => /lib/libc.so.6 (0x1)"\n')
    (fake / "ldd").chmod(0o755)
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    proc = subprocess.run([str(ROOT / "scripts" / "qt_system_check"), str(plugin)], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert proc.returncode == 1
    assert "libxcb-cursor.so.0" in proc.stderr and "sudo apt install libxcb-cursor0" in proc.stderr
    assert "libc.so.6" not in proc.stderr


def test_run_script_checks_qt_libraries_and_readme_names_them():
    assert "qt_system_check" in (ROOT / "scripts" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "libxcb-cursor0" in readme and "ANNOTATOR_SHARED_DATA" in readme


def _pytest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)


def test_missing_shared_data_fails_loudly_not_quietly(tmp_path):
    proc = _pytest("-q", "tests/formats/test_conll.py", "-k", "idner",
                   env={"ANNOTATOR_SHARED_DATA": str(tmp_path / "nowhere")})
    assert proc.returncode != 0
    assert "test(s) FAILED: shared data missing" in proc.stdout
    assert "ANNOTATOR_SHARED_DATA" in proc.stdout


def test_slow_marker_selects_real_tests():
    proc = _pytest("--collect-only", "-q", "-m", "slow")
    selected = [line for line in proc.stdout.splitlines() if "::" in line]
    assert len(selected) >= 2, proc.stdout
    assert not any(Path(line.split("::")[0]).name == "test_setup.py" for line in selected)
