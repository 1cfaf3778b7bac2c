"""Imports run one way: matching is pure, the kit imports no domain, each domain imports only
the kit and the domains below it, and workers never import web modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Domain packages of service/, lowest first: each may import only those before it.
DOMAINS = (
    "taxonomy",
    "auth",
    "people",
    "nextsteps",
    "programmes",
    "introductions",
    "accounts",
    "associations",
    "invitations",
    "digest",
    "imports",
    "events",
    "calendars",
    "suggestions",
    "rounds",
    "demo",
    "pages",
)
#: Modules of service/ below every domain (besides the kit).
BASE = {"settings", "errors", "security", "queue", "embedded", "db"}
#: Third-party packages matching/ may use.
PURE = {"numpy", "scipy", "sklearn", "networkx", "ortools"}


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_matching_imports_nothing_of_ours_and_no_io():
    allowed = PURE | set(sys.stdlib_module_names) - {"logging", "sqlite3", "socket", "asyncio"}
    for path in files("matching"):
        for name in imports(path):
            top = name.split(".")[0]
            assert top == "matching" or top in allowed, f"{path.name} imports {name}"


def test_the_kit_and_base_modules_import_no_domain():
    kit = [*files("service/kit"), *(ROOT / "service" / f"{m}.py" for m in BASE)]
    for path in kit:
        for name in imports(path):
            parts = name.split(".")
            if parts[0] != "service" or len(parts) < 2:
                continue
            # The taxonomy's pure lookup type is what templates render labels with.
            if name.startswith("service.taxonomy.normalise"):
                continue
            assert parts[1] in BASE | {"kit"}, f"{path.relative_to(ROOT)} imports {name}"


def test_each_domain_imports_only_the_domains_below_it():
    for level, domain in enumerate(DOMAINS):
        below = set(DOMAINS[:level])
        for path in files(f"service/{domain}"):
            for name in imports(path):
                parts = name.split(".")
                if parts[0] != "service" or len(parts) < 2 or parts[1] == domain:
                    continue
                assert parts[1] in below | BASE | {"kit"}, (
                    f"{path.relative_to(ROOT)} imports {name}: {domain} may import only"
                    f" {sorted(below)}, the kit and {sorted(BASE)}"
                )


def test_nothing_imports_the_composition_root_and_workers_import_no_web_module():
    for path in [*files("service"), *files("matching")]:
        assert not {n for n in imports(path) if n.split(".")[0] in ("workers", "kickoff")}, path
    web = ("service.app", "service.guard", "service.pages", "service.kit.api", "service.kit.html")
    for path in files("workers"):
        for name in imports(path):
            assert not name.startswith(web), f"{path.name} imports {name}"
            assert not name.endswith(".endpoints"), f"{path.name} imports {name}"
