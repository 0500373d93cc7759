"""Run course notebooks top to bottom in a fresh kernel and save them with clean metadata.

Lesson notebooks are committed with their outputs (nbval compares them), so each is executed
here, in a new kernel started from this Python, then stored with the metadata every course
notebook shares: kernelspec ``python3``, no execution timings, no widget state, no paths.

    python -m d2lad.course.notebooks notebooks/01_chain_rule.ipynb   # one
    python -m d2lad.course.notebooks notebooks                      # every lesson
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE = {"name": "python", "pygments_lexer": "ipython3"}


def clean(nb: Any) -> Any:
    """Keep only the metadata a course notebook needs (cell tags stay; timings go)."""
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE)}
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
    return nb


def execute(path: Path, timeout: int = 120) -> float:
    """Execute ``path`` in place (fresh kernel, its own folder as working directory); seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    nbformat.write(clean(nb), path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks or folders of them")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = []
    for p in args.paths:
        notebooks += sorted(p.glob("*.ipynb")) if p.is_dir() else [p]
    for nb in notebooks:
        print(f"{nb} ... ", end="", flush=True)
        print(f"{execute(nb, args.timeout):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
