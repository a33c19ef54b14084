"""Slow end-to-end round trips through the real peer tools, started on
127.0.0.1 on a free port from their own venvs (``scripts/peers-setup``):
our export goes in through the peer's API, the peer's export comes back and
is imported; every span exact, gold as gold, statuses per the rule in
docs/peers.md.  The CoNLL-U export goes through UD's validator.

Run with ``pytest -m slow tests/formats/test_peers_e2e.py``; a missing peer
venv FAILS naming the set-up script.  Each test prints its timings.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from annotator.core.model import GOLD, Document
from annotator.formats import export_project, import_paths
from annotator.formats.labelstudio import labelstudio_config
from annotator.store import Project
from tests.conftest import SEED_FILES
from tests.formats.helpers import peer_project, snapshot, suggestion_view
from tests.formats.peers import Peer, peer_bin, start_doccano, start_label_studio

pytestmark = pytest.mark.slow


@pytest.fixture
def team(tmp_path: Path) -> Project:
    """The peer project (see :func:`peer_project`)."""
    with Project(tmp_path / "team.db") as p:
        assert import_paths(p, SEED_FILES).ok
        yield peer_project(p)


def _back(tmp_path: Path, name: str, path: Path, **kw) -> tuple[Project, object]:
    project = Project(tmp_path / name)
    report = import_paths(project, [path], **kw)
    assert report.ok, report.failed
    return project, report


def test_label_studio_round_trip(team: Project, tmp_path: Path) -> None:
    started = time.perf_counter()
    export_project(team, "labelstudio", tmp_path / "ours.json", include_suggestions=True)
    tasks = json.loads((tmp_path / "ours.json").read_text(encoding="utf-8"))
    peer = start_label_studio(tmp_path / "ls")
    try:
        project = peer.ok("POST", "/api/projects", {"title": "annotator round trip",
                                                    "label_config": labelstudio_config(team.schema)})
        pid = project["id"]
        reply = peer.ok("POST", f"/api/projects/{pid}/import", tasks)
        assert (reply["task_count"], reply["annotation_count"], reply["prediction_count"]) == (2, 6, 2)
        # the default JSON export: predictions as ids
        default = peer.ok("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true")
        (tmp_path / "default.json").write_text(json.dumps(default), encoding="utf-8")
        # a snapshot with full predictions (what the UI's export uses)
        snap = peer.ok("POST", f"/api/projects/{pid}/exports",
                       {"title": "round trip", "serialization_options": {"predictions": {"only_id": False}}})
        full = peer.ok("GET", f"/api/projects/{pid}/exports/{snap['id']}/download?exportType=JSON")
        (tmp_path / "snapshot.json").write_text(json.dumps(full), encoding="utf-8")
        # work done in Label Studio itself: no names of ours, gold only as ground_truth
        native = json.loads(json.dumps(tasks))
        for t in native:
            t.pop("meta"), t.pop("id")
            for a in t["annotations"]:
                a.pop("annotator")
        p2 = peer.ok("POST", "/api/projects", {"title": "made in label studio",
                                               "label_config": labelstudio_config(team.schema)})
        peer.ok("POST", f"/api/projects/{p2['id']}/import", native)
        snap2 = peer.ok("POST", f"/api/projects/{p2['id']}/exports",
                        {"title": "native", "serialization_options": {"predictions": {"only_id": False}}})
        made = peer.ok("GET", f"/api/projects/{p2['id']}/exports/{snap2['id']}/download?exportType=JSON")
        (tmp_path / "made.json").write_text(json.dumps(made), encoding="utf-8")
    finally:
        peer.stop()
    back, report = _back(tmp_path, "default.db", tmp_path / "default.json")
    with back:
        assert snapshot(back) == snapshot(team)  # spans, answers, names, gold, statuses
        assert suggestion_view(back) == set()
    assert any("2 prediction(s) are listed by id only" in w for w in report.files[0].reader_warnings)
    back, report = _back(tmp_path, "snapshot.db", tmp_path / "snapshot.json")
    with back:
        assert snapshot(back) == snapshot(team)
        assert suggestion_view(back) == suggestion_view(team)
    back, report = _back(tmp_path, "made.db", tmp_path / "made.json")
    with back:
        gold = {(back.get_text(i), s.layer, s.start, s.end, s.label) for i in back.document_ids()
                for s in back.spans(i, GOLD)}
        assert gold == {(team.get_text(i), s.layer, s.start, s.end, s.label) for i in team.document_ids()
                        for s in team.spans(i, GOLD)}
        assert back.statuses()[(back.document_ids()[0], GOLD)] == "done"
    print(f"\nlabel studio: ready in {peer.ready_s:.1f}s, whole test {time.perf_counter() - started:.1f}s")


def _doccano_upload(peer: Peer, project_id: int, path: Path) -> dict:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    upload = peer.ok("POST", "/v1/fp/process/", raw=body, content_type=f"multipart/form-data; boundary={boundary}")
    upload_id = upload.decode() if isinstance(upload, bytes) else str(upload)
    task = peer.ok("POST", f"/v1/projects/{project_id}/upload",
                   {"uploadIds": [upload_id], "format": "JSONL", "task": "SequenceLabeling", "column_data": "text",
                    "column_label": "label", "delimiter": ",", "encoding": "utf_8"})
    return _doccano_wait(peer, task["task_id"])


def _doccano_wait(peer: Peer, task_id: str) -> dict:
    for _ in range(600):
        status = peer.ok("GET", f"/v1/tasks/status/{task_id}")
        if status.get("ready"):
            return status
        time.sleep(0.5)
    raise AssertionError(f"doccano task {task_id} not done after 300 s")


def _doccano_project(peer: Peer, name: str) -> int:
    return peer.ok("POST", "/v1/projects", {
        "name": name, "description": "annotator round trip", "guideline": "", "project_type": "SequenceLabeling",
        "resourcetype": "SequenceLabelingProject", "allow_overlapping": True})["id"]


def test_doccano_round_trip(team: Project, tmp_path: Path) -> None:
    started = time.perf_counter()
    export_project(team, "doccano", tmp_path / "ours.jsonl", all_annotators=True, include_suggestions=True)
    # what the writer did before: keys left out when empty (every --include-suggestions export)
    old = [json.loads(x) for x in (tmp_path / "ours.jsonl").read_text(encoding="utf-8").splitlines()]
    for obj in old:
        for key in ("cats", "labels"):
            if not obj[key]:
                del obj[key]
    (tmp_path / "old.jsonl").write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in old), "utf-8")
    peer = start_doccano(tmp_path / "doccano")
    try:
        refused = _doccano_upload(peer, _doccano_project(peer, "keys differ"), tmp_path / "old.jsonl")
        result = _doccano_upload(peer, (pid := _doccano_project(peer, "round trip")), tmp_path / "ours.jsonl")
        assert result["result"]["error"] == [], result
        assert peer.ok("GET", f"/v1/projects/{pid}/examples?limit=1")["count"] == 8
        task = peer.ok("POST", f"/v1/projects/{pid}/download", {"format": "JSONL", "exportApproved": False})
        _doccano_wait(peer, task["task_id"])
        status, payload = peer.request("GET", f"/v1/projects/{pid}/download?taskId={task['task_id']}")
        assert status == 200, payload
    finally:
        peer.stop()
    # the old shape: the whole file refused by doccano's database (NaN in the meta of lines missing a key)
    assert "JSON_VALID" in str(refused.get("error")) and not refused.get("result"), refused
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        [name] = zf.namelist()  # one file per doccano user: the importing owner
        (tmp_path / name).write_bytes(zf.read(name))
    # no --format: a doccano export named NAME.jsonl with articles longer than 4 KiB is sniffed
    back, report = _back(tmp_path, "back.db", tmp_path / name)
    with back:
        assert snapshot(back) == snapshot(team)
        assert suggestion_view(back) == {(t, lay, a, b, lab, "import", None)
                                         for t, lay, a, b, lab, _o, _s in suggestion_view(team)}
    print(f"\ndoccano: ready in {peer.ready_s:.1f}s, whole test {time.perf_counter() - started:.1f}s")


def test_conllu_passes_ud_validator_levels_that_need_no_parse(team: Project, tmp_path: Path) -> None:
    """Level 1 (CoNLL-U backbone) passes whole; level 2 (UD format) passes but
    for HEAD, which needs a parse (``_``); levels 3-5 need a parse, UPOS and
    features: not run."""
    udvalidate = peer_bin("udtools", "udvalidate")
    team.add_document(Document(text='Dia datang.\n\n"Kami siap," kata Budi.\r\nBaris\tbaru  di sini.', title="q"))
    export_project(team, "conllu", tmp_path / "ana.conllu", annotator="ana")
    export_project(team, "conllu", tmp_path / "all.conllu", all_annotators=True)
    for f in ("ana.conllu", "all.conllu"):
        one = subprocess.run([str(udvalidate), "--level", "1", "--lang", "id", str(tmp_path / f)],
                             capture_output=True, text=True, timeout=300)
        assert one.returncode == 0 and "PASSED" in one.stderr, one.stderr[-3000:]
        two = subprocess.run([str(udvalidate), "--level", "2", "--lang", "id", "--max-err", "0", str(tmp_path / f)],
                             capture_output=True, text=True, timeout=300)
        kinds = {line.split("]: [", 1)[1].split("]", 1)[0] for line in two.stderr.splitlines() if "]: [L" in line}
        assert kinds == {"L2 FORMAT invalid-head", "L2 SYNTAX unknown-head"}, two.stderr[-3000:]
