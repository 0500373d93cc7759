"""Counting what a recorded graph keeps, and measuring the memory a computation peaks at.

Reverse mode must keep, until backward runs, the values its rules will read: a chain of ``n``
operations saves ``O(n)`` arrays. Forward mode carries one tangent along with each value and can
forget both as soon as they are used: ``O(1)``. These two functions let a lesson measure that.

>>> import d2lad
>>> x = d2lad.ones(1000, dtype=d2lad.float64, requires_grad=True)
>>> graph_stats(x.sin().sin().sum())
{'nodes': 3, 'saved_arrays': 2, 'saved_bytes': 16000}
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from d2lad.engine.node import Node
from d2lad.engine.tensor import Tensor


def graph_stats(y: Tensor) -> dict[str, int]:
    """How many operations the graph of ``y`` recorded (``nodes``), and how many distinct arrays
    (``saved_arrays``) of how many bytes (``saved_bytes``) it holds for backward: the inputs
    a rule reads (``saves``) and the outputs it reads (``saves_ans``). After ``backward()``
    (without ``retain_graph``) they are freed and the counts drop to 0.

    >>> import d2lad
    >>> x = d2lad.tensor([1.0, 2.0], requires_grad=True)
    >>> graph_stats((x * x).sum())  # mul saves x (twice, one array), sum saves nothing
    {'nodes': 2, 'saved_arrays': 1, 'saved_bytes': 8}
    """
    saved: dict[int, int] = {}
    seen: set[int] = set()
    stack = [y.grad_fn] if y.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(p for p in node.parents if type(p) is Node)
        if node.inputs is None:
            continue
        kept = [node.inputs[i] for i in node.prim.saves]
        if node.prim.saves_ans:
            kept.append(node.ans)
        for a in kept:
            a = a._data if isinstance(a, Tensor) else a
            if isinstance(a, (np.ndarray, np.generic)):
                saved[id(a)] = a.nbytes
    return {"nodes": len(seen), "saved_arrays": len(saved), "saved_bytes": sum(saved.values())}


def peak_memory(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``(fn(*args, **kwargs), peak)``: the result, and the most memory (bytes) allocated at
    any moment during the call beyond what was allocated before it (measured by tracemalloc,
    which numpy reports its arrays to). Python keeps caches of freed small objects (up to
    2000 tuples, for one), which tracemalloc counts as allocated: warm them up with one call
    before comparing small peaks.

    >>> import numpy as np
    >>> _, peak = peak_memory(lambda n: np.ones(n).sum(), 1_000_000)
    >>> peak >= 8_000_000
    True
    """
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
    return result, peak
