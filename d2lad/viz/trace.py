"""Forward and reverse accumulation, step by step, on one recorded graph (the teaching version).

Both traces walk the graph ``y`` recorded and apply the rules of the primitive table
(``d2lad.engine.primitives.TABLE``) to numpy arrays, one node per step:

- ``trace_forward(y, tangents)``: in topological order (inputs first), each node's value and
  tangent ``v̇ = Σ_i jvp_i(v̇_i)``; the last row holds the directional derivative of ``y``.
- ``trace_reverse(y)``: in reverse topological order (output first), each node's adjoint
  ``v̄`` (the sum over its uses), pushed to its inputs by ``vjp_i(v̄)``; the leaves' rows hold
  what ``y.backward()`` puts in ``.grad``.

They need the values the graph saved: call them before ``y.backward()`` (which frees them) or
after ``y.backward(retain_graph=True)``.

>>> import d2lad
>>> x = d2lad.tensor(0.5, requires_grad=True)
>>> tr = trace_reverse(d2lad.sin(x) * x, names={"x": x})
>>> [(r["node"], r["op"]) for r in tr.rows]
[('v2', 'mul'), ('v1', 'sin'), ('x', 'input')]
>>> round(float(tr.row("x")["adjoint"]), 4)  # sin x + x cos x
0.9182
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from d2lad.engine.node import Node
from d2lad.engine.tensor import Tensor
from d2lad.viz.graph import Recorded, VGraph, record
from d2lad.viz.svg import short

FREED = ("{what} needs the values saved in the graph, but backward() has freed them. Call "
         "{what} before .backward(), or call .backward(retain_graph=True).")


class Trace:
    """The table of a trace: ``rows`` is a list of dicts with keys ``step``, ``node`` (its
    name), ``op``, ``value``, ``tangent`` (forward) or ``adjoint`` (reverse), ``rule`` (the
    derivative rule that fired) and ``id`` (the node's id in ``graph``). Shown as a table in
    Jupyter.

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> float(trace_forward(x * x, 1.0).rows[-1]["tangent"])
    4.0
    """

    def __init__(self, mode: str, rows: list[dict[str, Any]], graph: VGraph):
        self.mode = mode
        self.rows = rows
        self.graph = graph
        self.column = "tangent" if mode == "forward" else "adjoint"

    def row(self, name: str) -> dict[str, Any]:
        """The row of the node called ``name`` (a name from ``names``, or ``x1``, ``v3``...)."""
        for r in self.rows:
            if r["node"] == name:
                return r
        raise KeyError(f"no node named {name!r} in this trace")

    def __len__(self) -> int:
        return len(self.rows)

    def html(self, current: int | None = None) -> str:
        """The table as HTML, the row of step ``current`` (if given) highlighted and later
        ones left out."""
        head = ["step", "node", "op", "value", self.column, "rule"]
        out = ['<table style="font-family:monospace;border-collapse:collapse">',
               "<tr>" + "".join(f'<th style="text-align:left;padding:2px 8px">{h}</th>'
                                for h in head) + "</tr>"]
        for r in self.rows if current is None else self.rows[:current + 1]:
            style = ' style="background:#fee2e2"' if r["step"] == current else ""
            cells = [r["step"], r["node"], r["op"], short(r["value"], 4),
                     short(r[self.column], 4), r["rule"]]
            out.append(f"<tr{style}>" + "".join(
                f'<td style="text-align:left;padding:2px 8px">{html.escape(str(c))}</td>'
                for c in cells) + "</tr>")
        out.append("</table>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        cells = [["step", "node", "op", "value", self.column, "rule"]] + [
            [str(r["step"]), r["node"], r["op"], short(r["value"]), short(r[self.column]),
             r["rule"]] for r in self.rows]
        widths = [max(len(c[k]) for c in cells) for k in range(5)]
        return "\n".join("  ".join(c[k].ljust(widths[k]) for k in range(5)) + "  " + c[5]
                         for c in cells)


def trace_forward(y: Tensor, tangents: Any = None,
                  names: Mapping[str, Tensor] | None = None) -> Trace:
    """Forward accumulation on the graph of ``y``: every node's value and tangent, in order.

    ``tangents`` gives each leaf's tangent: a dict ``{leaf: tangent}`` (leaves left out get
    zeros; a key may also be a name from ``names``), one array for a graph with a single leaf,
    or ``None`` for ones everywhere. The output's tangent is the directional derivative
    ``J ẋ``, which equals ``<grad, ẋ>`` for a scalar ``y``.

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> print(trace_forward(x * x.sin(), tangents=1.0))
    step  node  op     value   tangent  rule
    0     x1    input  2       1        seed: the given tangent
    1     v1    sin    0.9093  -0.4161  sin: d/dx = cos x
    2     v2    mul    1.819   0.077    mul: d/dx = y, d/dy = x
    """
    rec = record(y, names)
    _check_alive(rec, "trace_forward")
    seeds = _seeds(rec, tangents, names or {})
    values: dict[int, Any] = {}
    dots: dict[int, Any] = {}
    rows: list[dict[str, Any]] = []
    for n in rec.graph.nodes:
        obj = rec.objects[n.id]
        if n.id not in rec.sources:
            values[n.id] = _array(obj)
            if n.id in seeds:
                dots[n.id] = seeds[n.id]
                rows.append(_row(rows, n.name, n.kind if n.kind != "output" else "input",
                                 values[n.id], "tangent", dots[n.id],
                                 "seed: the given tangent", n.id))
            continue
        args, ans = _call(obj, rec.sources[n.id], values)
        values[n.id] = ans
        total: Any = 0
        for i, src in enumerate(rec.sources[n.id]):
            if obj.parents[i] is not None:
                total = total + _rule(obj, "jvp", i, dots[src], ans, args)
        dots[n.id] = np.broadcast_to(total, np.shape(ans))
        rows.append(_row(rows, n.name, obj.prim.name, ans, "tangent", dots[n.id],
                         _rule_text(obj), n.id))
    return Trace("forward", rows, rec.graph)


def trace_reverse(y: Tensor, gradient: Any = None,
                  names: Mapping[str, Tensor] | None = None) -> Trace:
    """Reverse accumulation on the graph of ``y``: adjoints from the output back to the leaves.

    ``gradient`` is the output's adjoint (the ``v`` of ``vᵀJ``), ones by default. The leaves'
    final adjoints are what ``y.backward(gradient)`` accumulates into their ``.grad``.

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> print(trace_reverse(x * x.sin()))
    step  node  op     value   adjoint  rule
    0     v2    mul    1.819   1        seed: adjoint 1; mul: d/dx = y, d/dy = x
    1     v1    sin    0.9093  2        sin: d/dx = cos x
    2     x1    input  2       0.077    leaf: sum of 2 uses, added into .grad
    """
    rec = record(y, names)
    _check_alive(rec, "trace_reverse")
    values = _forward_values(rec)
    uses = {n.id: 0 for n in rec.graph.nodes}
    for src, _ in rec.graph.edges:
        uses[src] += 1
    out = rec.graph.nodes[-1]
    seed = np.ones(np.shape(values[out.id])) if gradient is None else _array(gradient)
    adjoints: dict[int, Any] = {out.id: np.broadcast_to(seed, np.shape(values[out.id]))}
    rows: list[dict[str, Any]] = []
    for n in reversed(rec.graph.nodes):
        obj = rec.objects[n.id]
        if n.id not in adjoints:  # a constant: nothing flows into it
            continue
        g = adjoints[n.id]
        summed = f"sum of {uses[n.id]} uses" if uses[n.id] > 1 else ""
        if n.id not in rec.sources:
            rule = "leaf: " + (summed + ", added" if summed else "added") + " into .grad"
            rows.append(_row(rows, n.name, "input" if n.kind == "output" else n.kind,
                             values[n.id], "adjoint", g, rule, n.id))
            continue
        rule = _rule_text(obj) + (f" ({summed})" if summed else "")
        rows.append(_row(rows, n.name, obj.prim.name, values[n.id], "adjoint", g,
                         ("seed: adjoint 1; " if n is out and gradient is None else "") + rule,
                         n.id))
        args = [values[s] for s in rec.sources[n.id]]
        for i, src in enumerate(rec.sources[n.id]):
            if obj.parents[i] is not None:
                gi = _rule(obj, "vjp", i, g, values[n.id], args)
                adjoints[src] = adjoints[src] + gi if src in adjoints else gi
    return Trace("reverse", rows, rec.graph)


def _check_alive(rec: Recorded, what: str) -> None:
    if any(type(o) is Node and o.inputs is None for o in rec.objects.values()):
        raise RuntimeError(FREED.format(what=what))


def _array(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x)


def _call(node: Node, sources: list[int], values: dict[int, Any]) -> tuple[list[Any], Any]:
    """The node's input values and its value, computed again with the primitive."""
    args = [values[s] for s in sources]
    params = node.params or {}
    return args, np.asarray(node.prim.value(*args, **params))


def _forward_values(rec: Recorded) -> dict[int, Any]:
    """Every node's value, in topological order (the forward sweep of reverse mode)."""
    values: dict[int, Any] = {}
    for n in rec.graph.nodes:
        obj = rec.objects[n.id]
        if n.id in rec.sources:
            values[n.id] = _call(obj, rec.sources[n.id], values)[1]
        else:
            values[n.id] = _array(obj)
    return values


def _rule(node: Node, kind: str, i: int, d: Any, ans: Any, args: list[Any]) -> Any:
    """Apply the node's jvp or vjp rule for input ``i`` to the tangent or adjoint ``d``."""
    prim = node.prim
    params = dict(node.params or {})
    if prim.variadic:
        params["argnum"] = i
    rule = prim.jvp_rule(i) if kind == "jvp" else prim.vjp_rule(i)
    return np.asarray(rule(d, ans, *args, **params))


def _rule_text(node: Node) -> str:
    """``name: derivative`` from the primitive's doc (its part after the first two spaces)."""
    doc = node.prim.doc.replace("``", "")
    return f"{node.prim.name}: {doc.split('  ', 1)[-1].rstrip('.')}"


def _seeds(rec: Recorded, tangents: Any, names: Mapping[str, Tensor]) -> dict[int, Any]:
    """The tangent of every leaf that requires grad, by node id."""
    leaves = [n for n in rec.graph.nodes if n.id not in rec.sources
              and isinstance(rec.objects[n.id], Tensor) and rec.objects[n.id]._requires_grad]
    if isinstance(tangents, Mapping):
        given = {(id(k) if isinstance(k, Tensor) else id(names[k])): v
                 for k, v in tangents.items()}
        chosen = {n.id: given.get(id(rec.objects[n.id]), 0.0) for n in leaves}
    elif tangents is None:
        chosen = {n.id: 1.0 for n in leaves}
    elif len(leaves) == 1:
        chosen = {leaves[0].id: tangents}
    else:
        raise TypeError(f"this graph has {len(leaves)} leaves: give tangents as a dict "
                        "{leaf: tangent} (leaves left out get zeros)")
    out = {}
    for n in leaves:
        x = rec.objects[n.id]._data
        out[n.id] = np.broadcast_to(_array(chosen[n.id]).astype(x.dtype), np.shape(x))
    return out


def _row(rows: list, node: str, op: str, value: Any, column: str, d: Any, rule: str,
         vid: int) -> dict[str, Any]:
    return {"step": len(rows), "node": node, "op": op, "value": value, column: d,
            "rule": rule, "id": vid}
