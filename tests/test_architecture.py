"""The shape the code keeps (issue 9), checked by walking the imports with `ast`, so it stays
true: no import cycles, no sideways imports between importers, and nothing below the CLI reads
the clock, the environment or the terminal."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "atoz"
# What every importer may share; importers never import each other.
IMPORTERS = {"claims_csv", "restore", "order_report", "orders_api", "finance", "mail_claims"}
# Reading the clock, the environment or the terminal.
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "today"), ("date", "today"),
                   ("datetime", "utcnow"), ("time", "time"), ("os", "getenv"),
                   ("os", "get_terminal_size"), ("shutil", "get_terminal_size")}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imports_of(path: Path) -> set[str]:
    """Every atoz module a module imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in MODULES}


GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def test_there_is_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for nxt in sorted(GRAPH[name]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_importers_never_import_each_other() -> None:
    for name in IMPORTERS:
        module = f"atoz.imports.{name}"
        sideways = {m for m in GRAPH[module] if m.removeprefix("atoz.imports.") in IMPORTERS}
        assert not sideways, f"{module} imports {sideways}"


def test_the_command_modules_share_the_app_module_not_each_other() -> None:
    commands = {m for m in MODULES if m.startswith("atoz.cli.") and m not in (
        "atoz.cli.app", "atoz.cli.render", "atoz.cli.progress", "atoz.cli.clock",
        "atoz.cli.views")}
    for module in commands:
        assert "atoz.cli" not in GRAPH[module], f"{module} imports the package back"
        assert not GRAPH[module] & commands, f"{module} imports another command module"


def test_nothing_below_the_cli_imports_typer_or_the_cli() -> None:
    for name, path in MODULES.items():
        if name.startswith("atoz.cli") or name == "atoz.__main__":  # the entry point
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m for m in names if m.split(".")[0] == "typer" or
                    m.startswith("atoz.cli")}, name


def test_the_clock_environment_and_terminal_are_read_only_in_the_cli() -> None:
    for name, path in MODULES.items():
        if name.startswith("atoz.cli"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
                owner = node.value.attr if isinstance(node.value, ast.Attribute) else \
                    node.value.id
                assert (owner, node.attr) not in FORBIDDEN_CALLS, \
                    f"{name}:{node.lineno} reads {owner}.{node.attr}"
                assert not (owner == "os" and node.attr == "environ"), \
                    f"{name}:{node.lineno} reads the environment"
                assert node.attr != "isatty", f"{name}:{node.lineno} reads the terminal"


def test_the_clock_module_lives_in_the_cli() -> None:
    assert "atoz.cli.clock" in MODULES and "atoz.clock" not in MODULES
    users = {name for name, deps in GRAPH.items() if "atoz.cli.clock" in deps}
    assert users and all(name.startswith("atoz.cli") for name in users)


def test_domain_errors_name_fields_not_flags() -> None:
    """Below the CLI an InputError names the field (`encoding`); the CLI shows it as the flag
    the user typed (`--encoding`), and a file's errors as its column."""
    for name, path in MODULES.items():
        if name.startswith("atoz.cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "InputError" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                field = str(node.args[0].value)
                assert not field.startswith("-"), f"{name}:{node.lineno} names the flag {field}"
