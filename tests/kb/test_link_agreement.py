"""Agreement on knowledge-base links between annotators, and the disagreements."""

from __future__ import annotations

from annotator.cli import main
from annotator.kb.service import link_project
from annotator.review.agreement import compute_agreement
from annotator.review.links import document_link_disagreements
from annotator.store import Project
from tests.kb.conftest import mark_seed_entities


def test_link_agreement_per_mention_same_entry(seed_project: tuple[Project, dict[int, str]], capsys) -> None:  # noqa: ANN001
    project, gold = seed_project
    mark_seed_entities(project, "bob")
    for doc in project.document_ids():
        project.set_status(doc, "ann", "done")
        project.set_status(doc, "bob", "done")
    link_project(project)
    # bob links one "Shoigu" to Putin instead
    bob_shoigu = next(m for m in project.kb_mentions(annotator="bob") if m.text == "Shoigu")
    project.kb_set_link(bob_shoigu.span_id, "vladimir-putin")
    # and unlinks one Kremlin
    bob_kremlin = next(m for m in project.kb_mentions(annotator="bob") if m.text == "Kremlin")
    project.kb_unlink(bob_kremlin.span_id)
    report = compute_agreement(project)
    pair = report["links"]["pairs"]["ann|bob"]
    assert pair["mentions"] == len(gold) and pair["same_entry"] == len(gold) - 2
    got = {(d["text"], tuple(sorted(d["entries"].items()))) for d in report["links"]["disagreements"]}
    assert got == {("Shoigu", (("ann", "sergei-shoigu"), ("bob", "vladimir-putin"))),
                   ("Kremlin", (("ann", "kremlin"), ("bob", None)))}
    doc2 = bob_shoigu.document_id
    per_doc = document_link_disagreements(project, doc2, ["ann", "bob"])
    assert [(d.text, d.entries) for d in per_doc if d.text == "Shoigu"] == [
        ("Shoigu", {"ann": "sergei-shoigu", "bob": "vladimir-putin"})]
    capsys.readouterr()
    assert main(["agreement", str(project.path)]) == 0
    out = capsys.readouterr().out
    assert "ann|bob" in out and f"{len(gold) - 2} of {len(gold)} mention(s)" in out


def test_links_travel_through_merge_into_the_review_project(tmp_path) -> None:  # noqa: ANN001
    from annotator.formats import import_paths
    from annotator.paths import seeds_dir
    from annotator.review.merge import merge_projects

    n = 0
    for name in ("alice", "bob"):
        with Project(tmp_path / f"{name}.db") as p:
            import_paths(p, sorted(seeds_dir().glob("*.txt")))
            n = len(mark_seed_entities(p, name))
            for doc in p.document_ids():
                p.set_status(doc, name, "done")
            link_project(p)
            if name == "bob":
                shoigu = next(m for m in p.kb_mentions() if m.text == "Shoigu")
                p.kb_set_link(shoigu.span_id, "vladimir-putin")
    review = tmp_path / "review.db"
    for _ in range(2):  # a re-run changes nothing
        merge_projects(review, [tmp_path / "alice.db", tmp_path / "bob.db"])
        with Project(review) as p:
            assert len(p.kb_mentions()) == 2 * n
            pair = compute_agreement(p)["links"]["pairs"]["alice|bob"]
            assert (pair["mentions"], pair["same_entry"]) == (n, n - 1)
            assert p.kb_entry("sergei-shoigu").name == "Sergei Shoigu"
