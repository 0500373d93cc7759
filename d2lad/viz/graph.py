"""A neutral model of a computation graph (what ``draw`` draws), and its reading from tensors.

A :class:`VGraph` is a list of :class:`VNode` and a list of edges ``(src_id, dst_id)`` in the
direction data flows (from an input to the operation that uses it). ``from_tensor`` reads one
from the graph an eager computation recorded; other engines (``d2lad.sym``) build one directly.

>>> import d2lad
>>> x = d2lad.tensor(2.0, requires_grad=True)
>>> g = from_tensor(x * x + 1.0)
>>> [(n.name, n.label, n.kind) for n in g.nodes]
[('x1', 'x1', 'input'), ('v1', 'MulBackward0', 'op'), ('c1', 'const', 'const'), \
('v2', 'AddBackward0', 'output')]
>>> g.edges
[(0, 1), (0, 1), (1, 3), (2, 3)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from d2lad.engine.node import Node
from d2lad.engine.tensor import Tensor

KINDS = ("input", "param", "const", "op", "output")


@dataclass(eq=False)
class VNode:
    """One node to draw.

    - ``id``: an int unique in its graph (edges refer to it);
    - ``label``: the operation (PyTorch's ``grad_fn`` name, or an op name) or a leaf's name;
    - ``kind``: one of ``"input"``, ``"param"``, ``"const"``, ``"op"``, ``"output"``;
    - ``shape``: the value's shape, or ``None`` when unknown;
    - ``value``, ``grad``: arrays, or ``None`` when unknown (both are shown briefly);
    - ``name``: a short variable name (``"x1"``, ``"v3"``) shown next to the shape, optional;
    - ``tangent``: a forward-mode tangent to show, optional.

    >>> VNode(0, "sin", "op", (3,)).name
    ''
    """

    id: int
    label: str
    kind: str
    shape: tuple[int, ...] | None = None
    value: np.ndarray | None = None
    grad: np.ndarray | None = None
    name: str = ""
    tangent: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"VNode kind must be one of {KINDS}, not {self.kind!r}")


@dataclass(eq=False)
class VGraph:
    """Nodes and edges ``(src_id, dst_id)`` (data flows from src to dst; repeats allowed, one
    per use: ``x * x`` has two edges from ``x``).

    >>> VGraph([VNode(0, "x", "input"), VNode(1, "neg", "output")], [(0, 1)]).edges
    [(0, 1)]
    """

    nodes: list[VNode]
    edges: list[tuple[int, int]] = field(default_factory=list)


@dataclass(eq=False)
class Recorded:
    """A ``VGraph`` read from tensors, with the engine objects behind it (for the traces).

    ``objects[id]`` is the :class:`~d2lad.engine.node.Node`, the leaf tensor, or the constant
    behind node ``id``; ``sources[id]`` lists, per input of an operation, the id of its node.
    ``graph.nodes`` is in topological order (every node after the nodes it uses).

    >>> import d2lad
    >>> x = d2lad.tensor(1.0, requires_grad=True)
    >>> rec = record(x * 2.0)
    >>> rec.objects[0] is x, rec.sources
    (True, {2: [0, 1]})
    """

    graph: VGraph
    objects: dict[int, Any]
    sources: dict[int, list[int]]


def as_graph(obj: Any, names: Mapping[str, Tensor] | None = None) -> VGraph:
    """The ``VGraph`` of a tensor, a list of tensors, a ``VGraph``, or any object with a
    ``_viz_graph()`` method (the protocol ``d2lad.sym`` implements).

    >>> import d2lad
    >>> len(as_graph(d2lad.tensor(1.0, requires_grad=True).exp()).nodes)
    2
    """
    if isinstance(obj, VGraph):
        return obj
    if hasattr(obj, "_viz_graph"):
        return obj._viz_graph()
    if isinstance(obj, (list, tuple)) and any(hasattr(o, "_viz_graph") for o in obj):
        raise TypeError("draw takes one symbolic expression at a time; to draw several, join "
                        "them into one, e.g. draw(d2lad.stack([g1, g2]))")
    return from_tensor(obj, names)


def from_tensor(outputs: Tensor | Sequence[Tensor],
                names: Mapping[str, Tensor] | None = None) -> VGraph:
    """The graph recorded for ``outputs`` (a tensor or a list of tensors), from its leaves up.

    ``names`` labels leaves (``{"w": w}``); others are called ``x1, x2, ...`` (inputs),
    ``p1, ...`` (parameters), ``c1, ...`` (constants), and operations ``v1, v2, ...``.

    >>> import d2lad
    >>> w = d2lad.ones(2, requires_grad=True)
    >>> [n.label for n in from_tensor(w.sum(), names={"w": w}).nodes]
    ['w', 'SumBackward0']
    """
    return record(outputs, names).graph


def record(outputs: Tensor | Sequence[Tensor],
           names: Mapping[str, Tensor] | None = None) -> Recorded:
    """Walk the recorded graph of ``outputs`` depth first and number what it finds.

    >>> import d2lad
    >>> x = d2lad.tensor(1.0, requires_grad=True)
    >>> record(x.sin().cos()).sources
    {1: [0], 2: [1]}
    """
    roots = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    order = _post_order([t.grad_fn or t for t in roots])
    produced = {id(t.grad_fn): t for t in roots if t.grad_fn is not None}
    for _, obj in order:  # an operation's output is the input of the operations that use it
        if type(obj) is Node and obj.inputs is not None:
            for p, a in zip(obj.parents, obj.inputs):
                if type(p) is Node:
                    produced.setdefault(id(p), a)
    given = {id(t): name for name, t in (names or {}).items()}
    outs = {id(t.grad_fn or t) for t in roots}
    counts = dict.fromkeys("xpcv", 0)
    ids: dict[Any, int] = {}
    rec = Recorded(VGraph([], []), {}, {})

    def add(key: Any, obj: Any, kind: str, prefix: str, label: str | None, value: Any,
            grad: Any) -> int:
        vid = len(rec.graph.nodes)
        if isinstance(obj, Tensor) and id(obj) in given:
            name = given[id(obj)]
        else:
            counts[prefix] += 1
            name = f"{prefix}{counts[prefix]}"
        shape = None if value is None else tuple(np.shape(value))
        kind = "output" if key in outs else kind
        rec.graph.nodes.append(VNode(vid, label or name, kind, shape, value, grad, name))
        rec.objects[vid] = obj
        ids[key] = vid
        return vid

    for key, obj in order:
        if type(obj) is Node:
            out = produced.get(key)
            kept = obj.retained() if obj.retained is not None else None
            vid = add(key, obj, "op", "v", obj.prim.grad_fn,
                      obj.ans if out is None else out._data, _grad(kept))
            rec.sources[vid] = [ids[k] for k, _ in _inputs(obj)]
            rec.graph.edges.extend((ids[k], vid) for k, _ in _inputs(obj))
        elif isinstance(obj, Tensor) and obj._requires_grad:
            param = _is_parameter(obj)
            add(key, obj, "param" if param else "input", "p" if param else "x", None,
                obj._data, _grad(obj))
        elif isinstance(obj, Tensor):
            add(key, obj, "const", "c", None, obj._data, None)
        else:
            add(key, obj, "const", "c", "const", np.asarray(obj), None)
    return rec


def _inputs(obj: Any) -> list[tuple[Any, Any]]:
    """(key, object) per input of an operation: its node, leaf tensor, or constant (keyed by
    where it is used, unless it is a tensor). Leaves and constants have no inputs."""
    if type(obj) is not Node:
        return []
    out = []
    for i, p in enumerate(obj.parents):
        if p is not None:
            out.append((id(p), p))
        elif obj.inputs is not None:
            a = obj.inputs[i]
            out.append((id(a) if isinstance(a, Tensor) else ("const", id(obj), i), a))
    return out


def _post_order(roots: list[Any]) -> list[tuple[Any, Any]]:
    """Depth-first post-order without recursion: every object after the objects it uses."""
    order: list[tuple[Any, Any]] = []
    stack: list[tuple[Any, Any, bool]] = [(id(r), r, False) for r in reversed(roots)]
    seen: set[Any] = set()
    while stack:
        key, obj, expanded = stack.pop()
        if expanded:
            order.append((key, obj))
        elif key not in seen:
            seen.add(key)
            stack.append((key, obj, True))
            stack.extend((k, c, False) for k, c in reversed(_inputs(obj)) if k not in seen)
    return order


def _grad(t: Tensor | None) -> np.ndarray | None:
    """A tensor's accumulated gradient as an array (read without the non-leaf warning)."""
    return None if t is None or t._grad is None else t._grad._data


def _is_parameter(t: Tensor) -> bool:
    """True for ``nn.Parameter`` tensors (by class name, so this works for any module)."""
    return any(cls.__name__ == "Parameter" for cls in type(t).__mro__)
