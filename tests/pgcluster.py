"""A throwaway PostgreSQL cluster for the tests and the benchmark.

``.ci/run`` starts one (``scripts/pg-cluster``) and passes its URL in
``ANNOTATOR_PG_URL``; without that variable the test session starts its own
here, with the same settings: ``initdb`` in a temporary folder, a unix socket
in that folder and no TCP (``listen_addresses=''``), ``C`` collation so text
sorts as in SQLite, stopped when the session ends.  As root the server runs as
the ``postgres`` user (PostgreSQL refuses to run as root).

Where no PostgreSQL is installed the server tests FAIL with a message saying
so, unless ``ANNOTATOR_NO_PG=1`` is set (then they are deselected, loudly: the
session header says so).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

NO_PG_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql-15 (Debian: apt-get install -y "
    "postgresql-15), or point ANNOTATOR_PG_URL at a superuser URL of a running server, or set ANNOTATOR_NO_PG=1 "
    "to leave the server backend untested"
)


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl``/``psql``: on PATH or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    for cand in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return cand
    return None


def socket_url(socket_dir: str | Path, db: str = "postgres", user: str = "postgres") -> str:
    """A libpq URL for a database reached over the unix socket in ``socket_dir``."""
    return f"postgresql://{user}@{quote(str(socket_dir), safe='')}/{db}"


class Cluster:
    """``initdb`` + ``pg_ctl start`` in a temporary folder; :meth:`stop` removes it."""

    def __init__(self, *, fsync: bool = False, max_connections: int = 100):
        initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not self.pg_ctl:
            raise RuntimeError(NO_PG_HINT)
        self.root = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
        self.data = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        os.chmod(self.root, 0o755)
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "--locale=C", "--encoding=UTF8",
                   "--no-sync"])
        opts = (f"-c listen_addresses='' -k {self.root} -c fsync={'on' if fsync else 'off'}"
                f" -c max_connections={max_connections} -c synchronous_commit={'on' if fsync else 'off'}"
                " -c full_page_writes=off")
        self._run([self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-o", opts, "-w", "start"])
        self.url = socket_url(self.root)

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run(self._as + cmd, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd[:1])} failed: {done.stderr or done.stdout}")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        subprocess.run(self._as + [str(self.pg_ctl), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def database_url(admin_url: str, db: str) -> str:
    """``admin_url`` with its database name replaced by ``db``."""
    base, _, query = admin_url.partition("?")
    head = base.rsplit("/", 1)[0]
    return f"{head}/{db}" + (f"?{query}" if query else "")


def create_database(admin_url: str, prefix: str = "t") -> str:
    """A fresh empty database on the server; returns its URL (as the admin user)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LC_COLLATE \'C\' LC_CTYPE \'C\'')
    return database_url(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database` (its sessions are ended first)."""
    import psycopg

    name = url.partition("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
