"""File > Open server project… (Ctrl+Shift+O): a PostgreSQL URL opened from the GUI (issue 14)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from annotator.core import Document
from annotator.gui import settings as user_settings
from annotator.gui.main_window import MainWindow
from annotator.gui.server_dialog import ServerDialog, url_problem, with_password, without_password
from annotator.store import Project
from annotator.store.dialect import ServerURL
from annotator.store.sync import copy_project
from tests.demo import make_demo


def _server_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and isinstance(w.project.path, ServerURL) and w.isVisible()]


def _dialog(window: MainWindow) -> ServerDialog:
    window.action("open_server").trigger()
    dialog = window._server_dialog  # noqa: SLF001
    assert isinstance(dialog, ServerDialog) and dialog.isVisible()
    return dialog


def test_the_dialog_opens_the_server_project_in_a_window_and_remembers_the_url_without_password(
        qtbot, window, pg_url, tmp_path, isolated_settings):
    copy_project(make_demo(tmp_path / "server.db"), pg_url)
    with Project(pg_url) as p:  # a document only the server project has
        server_only, _ = p.add_document(Document("Hanya di server: Jakarta.", title="Server only"))
    assert "Ctrl+Shift+O" in [k.toString() for k in window.action("open_server").shortcuts()]
    dialog = _dialog(window)
    dialog.url_box.setEditText(pg_url)
    dialog.password.setText("n0t-s4ved")
    dialog.try_open()
    assert dialog.busy or not dialog.isVisible()  # connecting runs on a thread: the dialog is not frozen
    qtbot.waitUntil(lambda: bool(_server_windows()), timeout=15000)
    server_win = _server_windows()[0]
    assert window.documents.ids() == [1, 2, 3]
    assert server_win.documents.ids() == [1, 2, 3, server_only]
    assert "n0t-s4ved" not in server_win.windowTitle() and "n0t-s4ved" not in str(server_win.project.path)
    assert user_settings.recent_servers() == [pg_url]
    stored = "".join(p.read_text(errors="replace") for p in isolated_settings.rglob("*") if p.is_file())
    assert "n0t-s4ved" not in stored and "t_" in stored  # the URL is there, the password nowhere
    # the next dialog offers the URL again
    again = ServerDialog(window)
    qtbot.addWidget(again)
    assert again.url_box.currentText() == pg_url and again.password.text() == ""
    server_win.close()


def test_a_bad_url_or_a_failed_connection_shows_a_message_and_no_window(qtbot, window, pg_url):
    dialog = _dialog(window)
    dialog.url_box.setEditText("project.db")
    dialog.try_open()
    assert "Not a server URL" in dialog.message.text() and "postgresql://" in dialog.message.text()
    dialog.url_box.setEditText("postgresql://alice@host:port/news")
    dialog.try_open()
    assert "Not a valid server URL" in dialog.message.text()
    missing = pg_url.replace("/t_", "/nosuch_", 1)
    dialog.url_box.setEditText(missing)
    dialog.try_open()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15000)
    text = dialog.message.text()
    assert "cannot connect to the server" in text and "nosuch_" in text and "does not exist" in text
    assert "Traceback" not in text
    assert dialog.isVisible() and not _server_windows()
    assert user_settings.recent_servers() == []
    dialog.reject()


def test_urls_are_checked_and_passwords_kept_out_of_what_is_remembered():
    assert url_problem("postgresql://alice@db.example.org/news") is None
    assert url_problem("postgresql://alice@/news?host=/run/postgresql") is None  # a unix socket
    assert url_problem("postgresql:///news") is not None  # no server named
    assert url_problem("") is not None
    assert without_password("postgresql://alice:pw@h:5433/news?password=pw&sslmode=require") == \
        "postgresql://alice@h:5433/news?sslmode=require"
    assert with_password("postgresql://alice@/news?host=/run/pg", "p@ss/w") == \
        "postgresql://alice:p%40ss%2Fw@/news?host=/run/pg"
    assert with_password("postgresql://alice@h/news", "") == "postgresql://alice@h/news"
