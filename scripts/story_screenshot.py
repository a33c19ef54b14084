"""Render the story view on the seeds for the README (docs/images/story_view.png).

    xvfb-run -s "-screen 0 1440x960x24" python scripts/story_screenshot.py [/tmp/story.db]

Imports both seeds, marks their entities as tests/kb/seed_clusters.py does (annotator
``sari``), runs the project's suggesters (stance cues and quotes come from them),
links the entity spans (``annotator link``) and shows the story view with Rusia as
the stance target.  Run it under Xvfb (or any display); offscreen works too.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.formats import import_paths  # noqa: E402
from annotator.gui.kb.story_view import StoryView  # noqa: E402
from annotator.gui.tasks import TaskRunner  # noqa: E402
from annotator.kb.service import link_project  # noqa: E402
from annotator.nlp.suggest import suggest_project  # noqa: E402
from annotator.store import Project  # noqa: E402
from tests.kb.conftest import mark_seed_entities  # noqa: E402


def build(path: Path) -> None:
    if path.exists():
        path.unlink()
    with Project(path) as p:
        import_paths(p, sorted((ROOT / "seeds").glob("*.txt")))
        mark_seed_entities(p, "sari")
        suggest_project(p)
        link_project(p)


def wait(view: StoryView) -> None:
    loop = QEventLoop()
    view.shown.connect(loop.quit)
    QTimer.singleShot(60000, loop.quit)
    loop.exec()
    view.shown.disconnect(loop.quit)


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/story.db")
    build(path)
    app = QApplication.instance() or QApplication(sys.argv)
    runner = TaskRunner()
    view = StoryView(path, runner)
    view.resize(1400, 900)
    view.show()
    view.find_stories()
    wait(view)
    view.show_story(0, "rusia")
    wait(view)
    for _ in range(20):
        app.processEvents()
    out = ROOT / "docs" / "images" / "story_view.png"
    view.grab().save(str(out))
    print(out)
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
