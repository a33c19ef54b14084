"""Start a real peer tool (Label Studio, doccano) on 127.0.0.1 for the slow
end-to-end tests, talk to its HTTP API, stop it by pid.

The peers live in their own venvs made by ``scripts/peers-setup`` under
``$ANNOTATOR_PEERS_DIR`` (default ``~/.cache/annotator-peers``), never in the
project's venv.  A missing venv is a test FAILURE naming that script, not a
skip: a slow run that checked nothing must not look green.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PEERS_DIR = Path(os.environ.get("ANNOTATOR_PEERS_DIR", Path.home() / ".cache" / "annotator-peers"))
SETUP = "scripts/peers-setup"


def peer_bin(name: str, exe: str) -> Path:
    """The peer's executable; fails the test (naming the set-up script) when absent."""
    path = PEERS_DIR / name / "venv" / "bin" / exe
    if not path.exists():
        pytest.fail(f"{path} is missing: run '{SETUP} {name}' once (it installs the peer into its own venv "
                    f"under {PEERS_DIR}; set ANNOTATOR_PEERS_DIR to use another folder)", pytrace=False)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Peer:
    """A running peer server: base URL, auth header, process, log."""

    base: str
    proc: subprocess.Popen[bytes]
    log: Path
    headers: dict[str, str] = field(default_factory=dict)
    ready_s: float = 0.0
    #: helper processes (doccano's task queue), stopped with the server
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                content_type: str = "application/json", timeout: float = 600) -> tuple[int, Any]:
        """``(status, parsed JSON or bytes)``; HTTP errors are returned, not raised."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=dict(self.headers))
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, payload = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        try:
            return status, json.loads(payload)
        except ValueError:
            return status, payload

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """Like :meth:`request`, failing the test (with the reply) unless 2xx."""
        status, payload = self.request(method, path, body, **kw)
        assert 200 <= status < 300, f"{method} {path}: HTTP {status}: {str(payload)[:2000]}"
        return payload

    def stop(self) -> None:
        """Stop the server, its helpers and their children (each its own process group) by pid."""
        for proc in [self.proc, *self.others]:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _start(cmd: list[str], env: dict[str, str], log: Path, health: str, timeout: float) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    with log.open("ab") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{cmd[0]} exited during start-up (code {proc.returncode}); log {log}:\n"
                                 + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                if resp.status == 200:
                    return proc, time.perf_counter() - started
        except (OSError, urllib.error.URLError):
            pass
        if time.perf_counter() - started > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError(f"{cmd[0]} not ready after {timeout:.0f}s; log {log}")
        time.sleep(0.5)


def start_label_studio(workdir: Path, timeout: float = 600) -> Peer:
    """Label Studio 1.23.2 on a free port of 127.0.0.1 with a fresh data dir
    (no analytics, no update check, no downloads), legacy token auth."""
    exe = peer_bin("labelstudio", "label-studio")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data, home = workdir / "lsdata", workdir / "home"
    data.mkdir(parents=True)
    home.mkdir(exist_ok=True)
    token = secrets.token_hex(20)
    env = {
        **os.environ, "HOME": str(home), "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LABEL_STUDIO_COLLECT_ANALYTICS": "false", "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_SENTRY_DSN": "", "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true", "LABEL_STUDIO_CONVERTER_DOWNLOAD_RESOURCES": "false",
        "LABEL_STUDIO_FEATURE_FLAGS_OFFLINE": "true", "PYTHONUNBUFFERED": "1",
    }
    env.pop("PYTHONPATH", None)
    cmd = [str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port), "--host", base,
           "--data-dir", str(data), "--log-level", "WARNING", "--username", "owner@example.com",
           "--password", secrets.token_hex(12), "--user-token", token, "--enable-legacy-api-token"]
    log = workdir / "labelstudio.log"
    proc, ready = _start(cmd, env, log, base + "/health", timeout)
    return Peer(base, proc, log, {"Authorization": f"Token {token}"}, ready)


def start_doccano(workdir: Path, timeout: float = 600) -> Peer:
    """doccano 1.8.4 with a fresh SQLite database: ``doccano init`` and
    ``createuser``, its web app under gunicorn bound to 127.0.0.1 (``doccano
    webserver`` binds 0.0.0.0) and its task queue (``doccano task``, which
    runs imports and exports); token auth."""
    exe = peer_bin("doccano", "doccano")
    python = exe.parent / "python"
    backend = subprocess.run([str(python), "-c", "import backend, os; print(os.path.dirname(backend.__file__))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "HOME": str(home), "DOCCANO_HOME": str(workdir / "doccano"),
        "DATABASE_URL": f"sqlite:///{workdir / 'doccano.db'}", "MEDIA_ROOT": str(workdir / "media"),
        "STANDALONE": "True", "DJANGO_SETTINGS_MODULE": "config.settings.production", "DEBUG": "False",
        "PYTHONUNBUFFERED": "1", "SECRET_KEY": secrets.token_hex(24),
    }
    env.pop("PYTHONPATH", None)
    log = workdir / "doccano.log"
    password = secrets.token_hex(12)
    with log.open("ab") as fh:
        for args in (["init"], ["createuser", "--username", "owner", "--password", password]):
            subprocess.run([str(exe), *args], env=env, stdout=fh, stderr=subprocess.STDOUT, check=True, timeout=600)
        queue = subprocess.Popen([str(exe), "task", "--concurrency", "1"], env=env, stdout=fh,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        proc, ready = _start([str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                              "--chdir", backend, "config.wsgi"], env, log, base + "/v1/health/", timeout)
    except BaseException:
        _stop(queue)
        raise
    peer = Peer(base, proc, log, {}, ready, [queue])
    status, payload = peer.request("POST", "/v1/auth/login/", {"username": "owner", "password": password})
    if status != 200 or "key" not in payload:
        peer.stop()
        raise AssertionError(f"doccano login: HTTP {status}: {payload}")
    peer.headers["Authorization"] = f"Token {payload['key']}"
    return peer
