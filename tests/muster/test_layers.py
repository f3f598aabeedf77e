"""The layers of docs/architecture.md, as `[tool.importlinter]` in pyproject.toml states them.

No database: these tests read files and run import-linter, nothing else.
"""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def layers_contract() -> dict[str, Any]:
    contracts: list[dict[str, Any]] = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    (contract,) = contracts
    return contract


def layer_modules(layer: str) -> list[str]:
    """The modules of one layer entry: split on `|` or `:`, optional `(module)` unwrapped."""
    separator = "|" if "|" in layer else ":"
    return [name.strip().strip("()") for name in layer.split(separator)]


def layers() -> list[list[str]]:
    return [layer_modules(layer) for layer in layers_contract()["layers"]]


def listed_modules() -> list[str]:
    return [module for layer in layers() for module in layer]


def is_within(module: str, parent: str) -> bool:
    return module == parent or module.startswith(parent + ".")


def project_modules() -> dict[str, Path]:
    """Every Python module of the root packages, migrations left out; `__init__.py` is its package."""
    modules: dict[str, Path] = {}
    for package in CONFIG["root_packages"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def split_packages() -> set[str]:
    """Packages whose modules sit in different layers (`muster`, `verification`, `communities`)."""
    listed = listed_modules()
    return {module for module in project_modules() if any(is_within(m, module) and m != module for m in listed)}


def imported_project_modules(path: Path, package: str) -> set[str]:
    roots = tuple(CONFIG["root_packages"])
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            imported.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in imported if name.split(".")[0] in roots}


def test_every_module_of_the_project_packages_sits_in_a_layer() -> None:
    listed = listed_modules()
    containers = split_packages()

    outside = sorted(
        module
        for module in project_modules()
        if module not in containers and not any(is_within(module, parent) for parent in listed)
    )

    assert outside == [], (
        f"{outside} are in no layer of the 'layers' contract in pyproject.toml; "
        "add each to its layer (docs/architecture.md, 'Layers')"
    )


def test_a_package_split_across_layers_imports_only_the_kernel_from_its_init() -> None:
    kernel = layers()[-1]
    modules = project_modules()

    upward = {
        package: sorted(
            name
            for name in imported_project_modules(modules[package], package)
            if not any(is_within(name, k) for k in kernel)
        )
        for package in sorted(split_packages())
    }

    assert {package: names for package, names in upward.items() if names} == {}


def test_import_linter_keeps_every_contract_when_run_as_a_subprocess() -> None:
    """Runs `lint-imports` (what `make lint` runs) in a child process: the full import graph, about a second."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
            "--no-logo",
            "pyproject.toml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
