"""The package's shape (docs/architecture.md): small modules and classes, a folder per stage
whose `__init__` is only a docstring, no import circle (TYPE_CHECKING and function-level
imports counted), and the import contracts of pyproject.toml kept."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

import mkdocs_yt2doc

PACKAGE = Path(mkdocs_yt2doc.__file__).resolve().parent
MODULE_LINES = 400
CLASS_LINES = 200
SUBPACKAGES = [
    "records", "util", "catalog", "sources", "transcribe", "document", "cache", "pipeline",
    "archive", "scale",
]  # fmt: skip


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def oversized(path: Path, where: str) -> list[str]:
    """What is too long in one module: the module, or any class in it."""
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    if lines > MODULE_LINES:
        found.append(f"{where}: {lines} lines (at most {MODULE_LINES})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > CLASS_LINES:
                found.append(
                    f"{where}:{node.lineno}: class {node.name} is {size} lines "
                    f"(at most {CLASS_LINES})"
                )
    return found


def test_no_module_passes_400_lines_and_no_class_200() -> None:
    too_long = [
        problem
        for path in modules()
        for problem in oversized(path, str(path.relative_to(PACKAGE.parent)))
    ]
    assert not too_long, "\n".join(too_long)


def test_the_size_check_names_a_long_module_and_a_long_class(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(CLASS_LINES))
    short = tmp_path / "short.py"
    short.write_text(f"class Fits:\n{body[: body.rindex(chr(10))]}\n")
    assert oversized(short, "short.py") == []
    long = tmp_path / "long.py"
    long.write_text(f"class Big:\n{body}\n" + "y = 1\n" * MODULE_LINES)
    assert oversized(long, "long.py") == [
        f"long.py: {CLASS_LINES + 1 + MODULE_LINES} lines (at most {MODULE_LINES})",
        f"long.py:1: class Big is {CLASS_LINES + 1} lines (at most {CLASS_LINES})",
    ]


def test_each_stage_is_a_subpackage_whose_init_is_only_a_docstring() -> None:
    for name in SUBPACKAGES:
        init = PACKAGE / name / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert len(tree.body) == 1, f"{init}: only a docstring, no code or imports"
        docstring = ast.get_docstring(tree) or ""
        for part in ("Takes in", "Gives out", "Must not import"):
            assert part in docstring, f"{init}: the docstring says what it {part.lower()}"
    flat = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__", "cli", "config", "correct", "nav", "plugin", "publish", "status"]


def test_the_root_re_exports_the_error_from_the_bottom_layer() -> None:
    from mkdocs_yt2doc.records.errors import Yt2DocError

    assert mkdocs_yt2doc.Yt2DocError is Yt2DocError
    assert Yt2DocError.__module__ == "mkdocs_yt2doc.records.errors"


def test_no_import_circle() -> None:
    graph = grimp.build_graph("mkdocs_yt2doc", cache_dir=None)  # TYPE_CHECKING imports too
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(imported=module, importer=imported):
                cycles.append(f"{module} -> {imported}")
    assert not cycles, "import circles: " + ", ".join(cycles)


def test_the_import_contracts_are_kept() -> None:
    """What `make test` runs: a broken contract names the import that breaks it."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=PACKAGE.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
