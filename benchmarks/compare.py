"""Measure d2lad against PyTorch (and other engines) with the shared benchmark harness.

Runs the harness once, with every engine in the same process run, then checks d2lad's figures
against the project's targets, each a ratio of two figures from that same run:

    python benchmarks/compare.py                      # W1 W2 W3 W5 W6, d2lad and torch
    python benchmarks/compare.py --engines torch,d2lad,autograd,micrograd,jax --out /tmp/R.md
    python benchmarks/compare.py --quick              # a smoke test, a minute or so
    python benchmarks/compare.py --from-json /tmp/results.json   # the tables again, no run

After the targets it prints a summary, one row per figure and one column per engine, copied
from the harness's own tables (the README's performance table is this summary).

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


#: Columns of the summary: (heading, the engine names the harness's rows use for it).
ENGINE_COLUMNS = [
    ("d2lad", ("d2lad",)), ("PyTorch", ("torch",)), ("HIPS autograd", ("autograd",)),
    ("micrograd", ("micrograd",)), ("JAX", ("jax",)), ("JAX jit", ("jax.jit",)),
    ("numpy by hand", ("numpy (hand-written backprop)", "numpy (analytic)")),
]
#: Rows of the summary: (label, workload, the harness's column, which rows: column -> value).
SUMMARY_ROWS = [
    ("W1 scalar chain, forward + backward, µs per op", "W1", "fwd+bwd µs/op", {}),
    ("W2 2-16-16-1 tanh MLP on 100 samples, ms per step", "W2", "ms / step", {}),
    ("W3 784-256-256-10 MLP, (forward + backward) / numpy forward", "W3",
     "(fwd+bwd) / numpy fwd", {}),
    ("W4 Jacobian of tanh(Ax), n = 512: jacfwd, ms", "W4", "jacfwd ms", {"n": "512"}),
    ("W4 same, jacrev, ms", "W4", "jacrev ms", {"n": "512"}),
    ("W4 gradient of sum(tanh(Ax)), n = 512: n jvp passes / 1 reverse pass", "W4",
     "n jvp / reverse", {"n": "512"}),
    ("W5 chain of 10⁶ ops, default recursion limit: forward, s", "W5", "fwd s",
     {"ops": "1,000,000"}),
    ("W5 same, backward, s", "W5", "bwd s", {"ops": "1,000,000"}),
    ("W5 same, memory held by the graph, MiB", "W5", "graph Δ MiB", {"ops": "1,000,000"}),
    ("W6 d2l control-flow function, forward + backward, µs per call", "W6",
     "fwd+bwd µs / call", {}),
]


def _cell(table: dict, column: str, names: tuple[str, ...], where: dict[str, str]) -> str:
    """One engine's figure from a harness table, or why there is none (its error, n/a)."""
    columns = table["columns"]
    for row in table["rows"]:
        cells = dict(zip(columns, row))
        if cells.get("engine") in names and all(cells.get(k) == v for k, v in where.items()):
            figure = cells.get(column, "n/a")
            problem = cells.get("result", cells.get("check", "ok"))  # W5 has a result column
            if problem != "ok" and (figure in ("n/a", "error") or "result" in cells):
                return problem.split(":")[0]
            return figure
    return "n/a"


def summary(tables: dict) -> str:
    """The summary table in markdown: SUMMARY_ROWS by ENGINE_COLUMNS, from one run."""
    lines = ["| workload | " + " | ".join(h for h, _ in ENGINE_COLUMNS) + " |",
             "|---|" + "--:|" * len(ENGINE_COLUMNS)]
    for label, workload, column, where in SUMMARY_ROWS:
        if workload in tables:
            cells = [_cell(tables[workload], column, names, where) for _, names in ENGINE_COLUMNS]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


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
    p.add_argument("--from-json", metavar="RESULTS",
                   help="run nothing: print the targets and summary of a harness results.json")
    args = p.parse_args(argv)

    if args.from_json:
        return report(json.loads(Path(args.from_json).read_text()))
    harness = Path(args.harness)
    if not harness.is_file():
        p.error(f"no benchmark harness at {harness}; pass --harness PATH/run.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "RESULTS.md"
        cmd = [args.python, str(harness), *args.workloads, "--engines", args.engines,
               "--out", str(out)] + (["--quick"] if args.quick else [])
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        print("$", " ".join(cmd), flush=True)
        done = subprocess.run(cmd, cwd=ROOT, env=env)
        if done.returncode:
            print(f"the harness failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
        results = json.loads(out.with_name("results.json").read_text())
    return report(results)


def report(results: dict) -> int:
    """Print d2lad's targets and the summary table of one run; exit status 1 if one is missed."""
    print(f"\n## d2lad against its targets (ratios of figures from one run, "
          f"{results.get('generated', '?')})\n")
    print("| workload | figure | ratio | target | verdict |")
    print("|---|---|--:|--:|---|")
    missed = 0
    for t in targets(results["tables"]):
        shown = "n/a" if t.ratio is None else f"{t.ratio:.3f}"
        print(f"| {t.workload} | {t.what} | {shown} | <= {t.limit:g} | {t.verdict()} |")
        missed += t.verdict() == "MISSED"
    print("\n## Summary: every engine, figures as the harness's tables give them\n")
    print(summary(results["tables"]))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
