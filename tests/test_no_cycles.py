"""No import cycles among annotator's modules: each module can be read, tested and
moved after the ones it imports.  Lazy imports inside functions count too (grimp
sees every import statement), so a cycle cannot hide in a function body.  Imports
under ``if TYPE_CHECKING:`` do not count: they never run, and naming a type of a
module that imports you (an operation taking its editor) is no circle at run time."""

from __future__ import annotations

import grimp


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _where(graph: grimp.ImportGraph, component: list[str]) -> list[str]:
    lines = []
    for a in component:
        for b in sorted(graph.find_modules_directly_imported_by(a)):
            if b in component:
                for d in graph.get_import_details(importer=a, imported=b):
                    lines.append(f"  {a}:{d['line_number']} -> {b}")
    return lines


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_annotator_has_no_import_cycles() -> None:
    graph = grimp.build_graph("annotator", cache_dir=None, exclude_type_checking_imports=True)
    assert len(graph.modules) > 50  # the whole package was read
    cycles = _cycles(graph)
    assert cycles == [], "import cycles:\n" + "\n".join(line for c in cycles for line in _where(graph, c))
