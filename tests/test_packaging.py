"""The wheel carries resources/ and seeds/, and the code finds them there."""

import os
import subprocess
import sys
import zipfile

import pytest

from annotator.paths import resource_path, seeds_dir
from tests.conftest import ROOT, SHARED, SHARED_DATA_ENV


def test_packaging_paths_in_checkout():
    assert (resource_path("schemas", "news.toml")).is_file()
    assert len(list(seeds_dir().glob("*.txt"))) == 2


def test_packaging_seeds_are_byte_for_byte_the_shared_ones():
    shared = SHARED / "seeds"
    if not shared.is_dir():  # loud, like every test that needs ../shared
        pytest.fail(f"shared data missing: {shared} does not exist; set {SHARED_DATA_ENV}", pytrace=False)
    for f in shared.glob("*.txt"):
        assert (seeds_dir() / f.name).read_bytes() == f.read_bytes()


def test_packaging_wheel_ships_resources_and_seeds(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode != 0 and ("Could not find a version" in proc.stderr or "connection" in proc.stderr.lower()):
        pytest.skip("the build backend could not be fetched")
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("annotator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "annotator/_data/resources/schemas/news.toml" in names
    assert sum(n.startswith("annotator/_data/seeds/") and n.endswith(".txt") for n in names) == 2
    # the installed layout finds them inside the package
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("from annotator.paths import resource_path, seeds_dir; import annotator.core as c;"
            "print(resource_path('schemas'), seeds_dir(), c.LabelSchema.load('news').name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=str(site)), timeout=60)
    assert out.returncode == 0, out.stderr
    res, seeds, name = out.stdout.split()
    assert res.startswith(str(site)) and seeds.startswith(str(site)) and name == "news"
