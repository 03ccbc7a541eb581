"""The package's shape: the public API in ``__all__`` holds, every module's ``__all__`` names what it
defines, and no module imports from a layer above its own."""

from __future__ import annotations

import ast
import importlib
import pkgutil

import pytest
from support import ROOT

import evidence

PUBLIC_API = {
    "Assessment", "Claim", "EvidenceError", "Project", "PubMed", "Register", "Settings", "__version__",
    "assess_claim", "assess_project", "assess_register", "load_claims", "load_project", "load_register",
}
# The data's way through the program, lowest first; a module may import only from its own layer or lower.
LAYERS = {
    "errors": 0, "settings": 0, "vocab": 0, "files": 0, "export_fields": 0, "rules": 0, "version": 0,
    "sources": 1, "register": 2, "judge": 3, "screening": 4, "drafting": 4, "present": 4, "cli": 5, "scaffold": 5,
    "__init__": 6,
}
PACKAGE = ROOT / "src" / "evidence"
MODULES = sorted(m.name for m in pkgutil.walk_packages(evidence.__path__, "evidence."))


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["__init__"]


def test_the_public_api_holds():
    assert set(evidence.__all__) == PUBLIC_API
    for name in evidence.__all__:
        assert getattr(evidence, name) is not None


@pytest.mark.parametrize("name", MODULES)
def test_every_module_all_names_what_it_defines(name):
    module = importlib.import_module(name)
    for exported in getattr(module, "__all__", ()):
        assert hasattr(module, exported), f"{name}.__all__ names {exported!r}, which it does not define"


def imports_of(path) -> set[str]:
    """The evidence modules a file imports (relative imports resolved)."""
    package = list(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("evidence"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("evidence"))
    return found


def module_name(path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def test_no_module_imports_from_a_higher_layer_or_the_package_face():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if module == "evidence":
            continue
        own = layer_of(module)
        for target in imports_of(path):
            if layer_of(target) > own:  # "evidence" itself (the face) is the top layer: never imported from inside
                offenders.append(f"{module} imports {target}")
    assert offenders == []


def test_no_import_circle_between_modules():
    """Every import, including those made only for type checking, read as a graph of modules: no circle (a
    package's own __init__ importing its modules is not a circle of the modules)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for target in imports_of(path):
            # ``from .pkg import name`` may name a module of pkg rather than an attribute
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name and not name.startswith(target + "."):
                targets.add(target)
        graph[name] = targets
    cycles = []
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert [c for c in cycles if not c.startswith("evidence ->")] == []


def test_only_the_transport_imports_bio_entrez():
    importers = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                 if "from Bio import Entrez" in p.read_text(encoding="utf-8") or "Bio.Entrez" in
                 "".join(line for line in p.read_text(encoding="utf-8").splitlines()
                         if line.startswith(("import", "from")))]
    assert importers == ["sources/transport.py"]


def test_the_network_guard_refuses_anything_but_loopback():
    """pytest-socket is on for the whole suite: a loopback address outside the allowed list is refused
    before any packet is sent (so this test sends none)."""
    import socket

    from pytest_socket import SocketConnectBlockedError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe, \
            pytest.warns(UserWarning, match="127.0.0.2"), pytest.raises(SocketConnectBlockedError):
        probe.connect(("127.0.0.2", 9))


def test_hypothesis_stores_nothing_in_the_checkout():
    from hypothesis import settings
    from hypothesis.configuration import storage_directory

    assert settings().database is None
    assert ROOT not in storage_directory(intent_to_write=False).path.resolve().parents
