"""``import``, ``list``, ``show``, ``stats``: the project file from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from annotator.cli.args import annotator_arg, at_least_one
from annotator.cli.progress import TerminalProgress


def _project(args: argparse.Namespace, create: bool = False, build_new: bool = False) -> Any:
    from annotator.core.errors import ProjectError
    from annotator.core.schema import LabelSchema
    from annotator.store import Project

    schema = getattr(args, "schema", None)
    if schema is not None:
        # loaded first, so a misspelt schema leaves no project file (with the default schema) behind
        loaded = LabelSchema.load(schema)
        if _exists(args.project):
            # --schema is for a new project: replacing the schema of one holding spans would strand them
            with Project(args.project, create=False) as existing:
                current = existing.schema
            if current.to_toml_dict() != loaded.to_toml_dict():
                raise ProjectError(
                    f"{args.project} already uses schema {current.name!r}; --schema applies only to a new project"
                )
            return Project(args.project, create=create)
        schema = loaded
    return Project(args.project, create=create, schema=schema, build_new=build_new)




def _exists(target: str) -> bool:
    """Whether a project is there already: a file, or a server database holding one."""
    from annotator.store.dialect import is_server_url
    from annotator.store.sync import project_exists

    return project_exists(target) if is_server_url(target) else Path(target).exists()


def _language_code(value: str) -> str:
    """argparse type: a short language code such as ``id`` or ``en``."""
    code = value.strip().lower()
    if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        raise argparse.ArgumentTypeError(f"a language code like id or en, not {value!r}")
    return code


def cmd_import(args: argparse.Namespace) -> int:
    """Import files; exit 1 when any file failed (the others still import)."""
    from annotator.formats import import_paths

    extra: dict[str, Any] = {}
    if getattr(args, "sentences_per_doc", None):
        extra["sentences_per_doc"] = args.sentences_per_doc
    if getattr(args, "text_column", None):
        extra["text_column"] = args.text_column
    import gc

    # a new project file is written once, aside, and moved into place (Project's build_new)
    with _project(args, create=True, build_new=True) as project:
        progress = TerminalProgress("import")
        # The import makes no reference cycles to collect, but its millions of small objects made
        # the cycle collector walk every live object again and again (3% of a 2,000-article import).
        collecting = gc.isenabled()
        gc.disable()
        try:
            report = import_paths(
                project, args.paths, fmt=args.format, annotator=args.annotator, clean=not args.no_clean,
                extra=extra, progress=progress, language=args.language,
            )
        finally:
            if collecting:
                gc.enable()
        progress.close()
        # every file failed: a new project file is not made empty (nothing names it afterwards)
        not_made = bool(report.failed) and not report.totals()["files"] and project.discard_unbuilt()
    for f in report.files:
        for warning in f.warnings:
            print(f"annotator: warning: {warning}", file=sys.stderr)
    for f in report.failed:
        print(f"annotator: error: {f.error}", file=sys.stderr)
    t = report.totals()
    # documents are distinct documents; a Label Studio task with two annotations is one
    # document in two records (counted apart, never as two documents)
    records = f", {t['records']} record(s)" if t["records"] != t["documents"] else ""
    print(
        f"imported {t['files']} file(s): {t['documents']} document(s) ({t['new_documents']} new{records}), "
        f"{t['spans']} span(s), {t['labels']} answer(s)" + (f"; {t['failed']} file(s) failed" if t["failed"] else "")
        + (f"; {t['warnings']} warning(s) above" if t["warnings"] else "")
        + (f"; {args.project} was not created" if not_made else "")
    )
    return 0 if report.ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    """One line per document: id, state, outlet, title."""
    with _project(args) as project:
        if args.annotator and args.annotator not in project.annotators():
            from annotator.core.errors import NotFoundError

            # a misspelt name would list every document as todo
            raise NotFoundError(f"no annotator {args.annotator!r} in {args.project} "
                                f"(annotators: {', '.join(project.annotators()) or 'none'})")
        for info in project.document_infos(annotator=args.annotator):
            state = f"{info.state:<11} " if args.annotator else ""
            print(f"{info.id:>6}  {state}{info.source[:18]:<18}  {info.title}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a document, its metadata, spans and (with --removed) what cleaning removed."""
    with _project(args) as project:
        doc = project.get_document(args.doc_id)
        if args.json:
            out = {
                "id": doc.id, "title": doc.title, "source": doc.source, "published": doc.published,
                "url": doc.url, "meta": dict(doc.meta), "text": doc.text,
                "spans": [
                    {"annotator": s.annotator, "layer": s.layer, "start": s.start, "end": s.end, "label": s.label,
                     "text": s.text_in(doc.text), "origin": s.origin}
                    for s in project.spans(doc.id)
                ],
                "removed": list(doc.removed_lines),
                "language": doc.language,
                "annotators": _answers_and_status(project, doc.id),
            }
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        if args.removed:
            if not doc.removed_lines:
                print("(cleaning removed nothing from this document)")
            for line in doc.removed_lines:
                print(line)
            return 0
        if args.original:
            print(doc.original_text if doc.original_text is not None else doc.text)
            return 0
        print(f"# {doc.title}")
        for key in ("source", "published", "url", "language"):
            if getattr(doc, key):
                print(f"{key}: {getattr(doc, key)}")
        for key, value in doc.meta.items():
            shown = str(value)
            if len(shown) > 120:  # token tables of CoNLL imports: say how many, not all
                shown = f"({len(value)} items)" if isinstance(value, (list, dict)) else shown[:117] + "..."
            print(f"meta.{key}: {shown}")
        print()
        print(doc.text)
        spans = project.spans(doc.id)
        if spans:
            print()
            for s in spans:
                print(f"{s.annotator}\t{s.layer}\t{s.start}-{s.end}\t{s.label}\t{s.text_in(doc.text)!r}")
        per_annotator = _answers_and_status(project, doc.id)
        if per_annotator:
            print()
            for name, info in per_annotator.items():
                print(f"{name}: status {info['status']}")
                for question, answer in info["answers"].items():
                    target = f" (target: {answer['target']})" if answer.get("target") else ""
                    print(f"{name}: {question}: {answer['value']}{target}")
    return 0


def _answers_and_status(project: Any, doc_id: int) -> dict[str, dict[str, Any]]:
    """``{annotator: {"status": state, "answers": {question: {"value", "target"}}}}`` for everyone who
    has a status or an answer on the document (stance, its target, the note...)."""
    out: dict[str, dict[str, Any]] = {}
    for (d, name), state in sorted(project.statuses().items()):
        if d == doc_id:
            out.setdefault(name, {"status": state, "answers": {}})
    for ans in project.answers(doc_id):
        entry = out.setdefault(ans.annotator or "", {"status": project.status(doc_id, ans.annotator or ""),
                                                     "answers": {}})
        entry["answers"][ans.question] = {"value": ans.value, "target": ans.target}
    return out


def cmd_stats(args: argparse.Namespace) -> int:
    """Counts; ``--json`` for scripts."""
    with _project(args) as project:
        stats = project.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Integrity check; ``--salvage NEW.db`` copies what can be read of a damaged file."""
    from annotator.core.errors import ProjectError
    from annotator.store.check import check_project, salvage_project
    from annotator.store.dialect import is_server_url

    for where in (args.project, args.salvage):
        if is_server_url(where):
            raise ProjectError(
                f"{where}: check and --salvage are for project files (SQLite's integrity check); a server project "
                "is checked by PostgreSQL itself (pg_amcheck); copy one into a file with 'annotator pull URL FILE'")
    report = check_project(args.project)
    if args.salvage:
        saved = salvage_project(args.project, args.salvage)
        print(f"salvaged into {args.salvage}:")
        print(saved.summary() or "  (nothing could be read)")
        return 0
    print(report.advice(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("check", "import", "list", "show", "stats")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the project commands."""
    p = sub.add_parser("check", help="check a project file for damage; --salvage copies out what can be read",
                       description="Run SQLite's integrity check on a project file (read-only) and say what to do. "
                                   "With --salvage NEW.db, copy every readable row into a new project.")
    p.add_argument("project")
    p.add_argument("--salvage", metavar="NEW_DB", help="write what can be read into this new project file")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("import", help="import articles or annotations into a project")
    p.add_argument("project", help="project file (.db), created on first use")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--format", help="input format (default: from the file name)")
    p.add_argument("--annotator", type=annotator_arg, help="whose annotations the input holds")
    p.add_argument("--schema", help="label schema name or TOML file (for a new project)")
    p.add_argument("--no-clean", action="store_true", help="keep scraped text exactly as given")
    p.add_argument("--sentences-per-doc", type=at_least_one, help="CoNLL without -DOCSTART-: sentences per document")
    p.add_argument("--text-column", help="CSV: the column holding the text")
    p.add_argument("--language", type=_language_code,
                   help="language code (id, en, ...) of documents whose input names none; "
                        "default: detected per document (Indonesian or English, else id)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="list the documents of a project")
    p.add_argument("project")
    p.add_argument("--annotator", type=annotator_arg, help="show this annotator's state")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="print one document")
    p.add_argument("project")
    p.add_argument("doc_id", type=int)
    p.add_argument("--removed", action="store_true", help="list the lines cleaning removed")
    p.add_argument("--original", action="store_true", help="print the text as imported, before cleaning")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("stats", help="counts of documents, annotators, spans, suggestions")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)
