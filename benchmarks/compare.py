"""Measure d2lad against PyTorch (and other engines) with the shared benchmark harness.

Runs the harness once, with every engine in the same process run, then checks d2lad's figures
against the project's targets, each a ratio of two figures from that same run:

    python benchmarks/compare.py                      # W1 W2 W3 W5 W6, d2lad and torch
    python benchmarks/compare.py --engines torch,d2lad,autograd,micrograd,jax --out /tmp/R.md
    python benchmarks/compare.py --quick              # a smoke test, a minute or so

The harness lives outside this repository (``../shared/bench/run.py`` by default; ``--harness``
or ``D2LAD_BENCH_HARNESS`` to point elsewhere). It needs torch and the other engines installed in
the Python that runs it (``--python``; see the harness's README for the venv it expects).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HARNESS = ROOT.parent / "shared" / "bench" / "run.py"


@dataclass
class Target:
    """One speed target: d2lad's figure over a baseline from the same run must stay <= limit."""

    workload: str
    what: str
    limit: float
    ratio: float | None = None

    def verdict(self) -> str:
        if self.ratio is None:
            return "not measured"
        return "met" if self.ratio <= self.limit else "MISSED"


def _median(raw: list[dict], engine: str, key: str) -> float | None:
    for row in raw:
        if row.get("engine") == engine and key in row:
            return row[key]["median_s"]
    return None


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def targets(tables: dict) -> list[Target]:
    """The ratios the engine issue asks for, computed from the harness's results.json."""
    out = []
    if "W1" in tables:
        raw = tables["W1"]["raw"]
        out.append(Target("W1", "scalar chain fwd+bwd per op, d2lad / torch", 0.5,
                          _div(_median(raw, "d2lad", "grad"), _median(raw, "torch", "grad"))))
    if "W6" in tables:
        raw = tables["W6"]["raw"]
        out.append(Target("W6", "control flow fwd+bwd per call, d2lad / torch", 0.5,
                          _div(_median(raw, "d2lad", "grad"), _median(raw, "torch", "grad"))))
    if "W2" in tables:
        raw = tables["W2"]["raw"]
        out.append(Target("W2", "small tensor MLP step, d2lad / torch", 1.0,
                          _div(_median(raw, "d2lad", "grad"), _median(raw, "torch", "grad"))))
    if "W3" in tables:
        raw = tables["W3"]["raw"]
        mine = _div(_median(raw, "d2lad", "grad"), _median(raw, "d2lad", "np"))
        hand = _div(_median(raw, "numpy", "np_grad"), _median(raw, "numpy", "np"))
        out.append(Target("W3", "cheap-gradient ratio (fwd+bwd)/numpy fwd, d2lad / hand-written "
                          "numpy backprop", 1.1, _div(mine, hand)))
    if "W4" in tables:
        raw = tables["W4"]["raw"]
        for kind in ("jacfwd", "jacrev"):
            mine = next((r[kind]["median_s"] for r in raw if r.get("engine") == "d2lad"
                         and r.get("n") == 512 and kind in r), None)
            ref = next((r[kind]["median_s"] for r in raw if r.get("engine") == "torch"
                        and r.get("n") == 512 and kind in r), None)
            out.append(Target("W4", f"{kind} n=512, d2lad / torch.func", 1.0, _div(mine, ref)))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workloads", nargs="*", default=["W1", "W2", "W3", "W5", "W6"])
    p.add_argument("--engines", default="torch,d2lad",
                   help="comma-separated harness adapters (default torch,d2lad)")
    p.add_argument("--harness", default=os.environ.get("D2LAD_BENCH_HARNESS", DEFAULT_HARNESS),
                   help="path of the shared harness's run.py")
    p.add_argument("--python", default=sys.executable,
                   help="the Python with the reference engines installed")
    p.add_argument("--out", help="also keep the harness's markdown report here")
    p.add_argument("--quick", action="store_true", help="the harness's smoke-test sizes")
    args = p.parse_args(argv)

    harness = Path(args.harness)
    if not harness.is_file():
        p.error(f"no benchmark harness at {harness}; pass --harness PATH/run.py")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(args.out) if args.out else Path(tmp) / "RESULTS.md"
        cmd = [args.python, str(harness), *args.workloads, "--engines", args.engines,
               "--out", str(report)] + (["--quick"] if args.quick else [])
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        print("$", " ".join(cmd), flush=True)
        done = subprocess.run(cmd, cwd=ROOT, env=env)
        if done.returncode:
            print(f"the harness failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
        results = json.loads(report.with_name("results.json").read_text())
    print("\n## d2lad against its targets (ratios of figures from this one run)\n")
    print("| workload | figure | ratio | target | verdict |")
    print("|---|---|--:|--:|---|")
    missed = 0
    for t in targets(results["tables"]):
        shown = "n/a" if t.ratio is None else f"{t.ratio:.3f}"
        print(f"| {t.workload} | {t.what} | {shown} | <= {t.limit:g} | {t.verdict()} |")
        missed += t.verdict() == "MISSED"
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
