"""File > Open server project… (Ctrl+Shift+O): a project on a PostgreSQL server (docs/team.md).

The dialog takes a ``postgresql://USER@HOST/DB`` URL (any libpq URL: a port,
``?host=/run/postgresql`` for a unix socket, ``?sslmode=...``) and an optional
password.  The password is put into the URL for this connection only and is
never written anywhere: left empty, libpq reads ``~/.pgpass`` or
``PGPASSWORD``.  The recent list (QSettings) keeps the URLs without passwords.

Connecting can block (a host that does not answer waits for the store's
connect timeout), so the first connection is tried on a :class:`Task` thread;
the dialog stays responsive and shows the store's message when it fails.  The
window then opens the project on the GUI thread, against a server that has
just answered.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.core.jobs import Progress, ShouldCancel
from annotator.gui import settings as user_settings
from annotator.gui.workers import Task
from annotator.store import Project
from annotator.store.dialect import URL_SCHEMES

EXAMPLE = "postgresql://alice@db.example.org/news  or  postgresql://alice@/news?host=/run/postgresql"


def without_password(url: str) -> str:
    """``url`` with no password at all (in the user part or as ``password=`` in the query): what is remembered."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"],
                      safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in its user part (replacing one there); ``url`` itself when empty."""
    if not password:
        return url
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user.split(':', 1)[0]}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a server URL this dialog can try, or None when it is."""
    if not url:
        return f"Type the server project's URL, e.g. {EXAMPLE.split('  or  ')[0]}"
    if not url.startswith(URL_SCHEMES):
        return f"Not a server URL: {url!r}. It starts with postgresql://, e.g. {EXAMPLE.split('  or  ')[0]}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check (a word there raises)
    except ValueError as exc:
        return f"Not a valid server URL: {without_password(url) if '@' in url else url!r} ({exc})"
    if not parts.netloc and "host=" not in parts.query:
        return f"The URL names no server: {url!r}. Give a host (postgresql://USER@HOST/DB) or ?host=/socket/folder"
    return None


def try_connect(url: str):  # noqa: ANN201 - a Job
    """The job that opens the project at ``url`` once and closes it (a failure raises the store's error)."""

    def job(report: Progress, should_cancel: ShouldCancel) -> str:
        report(0, 0, "connecting")
        Project(url).close()
        return url

    return job


class ServerDialog(QDialog):
    """Ask for a server URL and a password; ``opened(url)`` once the server answered.

    ``url`` (after ``opened``) is the full URL, password included: give it to ``Project``,
    never to settings."""

    opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open server project")
        self.url = ""
        self._task: Task | None = None
        self.url_box = QComboBox(self)
        self.url_box.setEditable(True)
        self.url_box.addItems(user_settings.recent_servers())
        self.url_box.setCurrentIndex(0 if self.url_box.count() else -1)
        self.url_box.lineEdit().setPlaceholderText(EXAMPLE)
        self.url_box.setMinimumWidth(520)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: ~/.pgpass or PGPASSWORD")
        note = QLabel("The password is used for this connection only and never stored. Leave it empty to use "
                      "~/.pgpass or the PGPASSWORD variable. A unix socket: postgresql://USER@/DB?host=/folder",
                      self)
        note.setWordWrap(True)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.try_open)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Server &URL:", self.url_box)
        form.addRow("&Password:", self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    @property
    def busy(self) -> bool:
        """True while a connection is being tried."""
        return self._task is not None and self._task.is_running

    def try_open(self) -> None:
        """Check the URL, then connect off the GUI thread; the answer comes back as a message or ``opened``."""
        if self.busy:
            return
        url = self.url_box.currentText().strip()
        problem = url_problem(url)
        if problem:
            self.message.setText(problem)
            return
        self.message.setText(f"Connecting to {without_password(url)}…")
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(False)
        self._task = Task(try_connect(with_password(url, self.password.text())), "connect", self)
        self._task.finished.connect(self._connected)
        self._task.errored.connect(self._failed)
        self._task.start()

    def _connected(self, url: str) -> None:
        self.url = url
        user_settings.remember_server(without_password(url))
        self.password.clear()
        self.opened.emit(url)
        self.accept()

    def _failed(self, message: str, _traceback: str) -> None:
        # the store's message names the server and says why (no traceback for a refused connection)
        self.message.setText(message.replace(self.password.text(), "***") if self.password.text() else message)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(True)

    def done(self, result: int) -> None:  # noqa: D102 - QDialog's; a connection still being tried ends first
        if self._task is not None and self._task.is_running:
            self._task.shutdown()
        super().done(result)
