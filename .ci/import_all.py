"""Import every module of the installed blendsim and compare them with the source tree.

Run with ``python -I .ci/import_all.py SOURCE_DIR`` from outside the repository, in an
environment where blendsim is installed from its wheel.  Exits non-zero, naming the modules,
if the installed package lacks a module the source tree has (or has one it does not), or if
blendsim is imported from anywhere but this environment's installation.
"""

import importlib
import pkgutil
import sys
from importlib.metadata import version
from pathlib import Path


def source_modules(root: Path) -> set[str]:
    """Dotted names of the package, its subpackages and modules under ``root/blendsim``."""
    names = set()
    for path in (root / "blendsim").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if all((root.joinpath(*parts[:i]) / "__init__.py").is_file()
               for i in range(1, len(parts))):
            names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def main(source: str) -> int:
    import blendsim

    root = Path(source).resolve()
    where = Path(blendsim.__file__).resolve()
    if not where.is_relative_to(Path(sys.prefix).resolve()):
        print(f"blendsim was imported from {where}, not from this environment ({sys.prefix})")
        return 1
    installed = {"blendsim"}
    for info in pkgutil.walk_packages(blendsim.__path__, "blendsim."):
        importlib.import_module(info.name)
        installed.add(info.name)
    expected = source_modules(root)
    missing, extra = sorted(expected - installed), sorted(installed - expected)
    if missing or extra:
        print(f"the installed wheel lacks {missing} and adds {extra}")
        return 1
    packages = sorted(n for n in installed if hasattr(sys.modules[n], "__path__"))
    print(f"blendsim {version('blendsim')} from {where.parent}: imported {len(installed)} "
          f"modules in {len(packages)} packages ({', '.join(packages)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
