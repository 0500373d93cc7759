"""Reverse accumulation: walk the recorded graph from the output back to the leaves.

1. Count, for every node reachable from the output, how many of its results' consumers are in
   the graph (an explicit stack, no recursion: a chain of a million nodes is fine).
2. Start from the output with the seed gradient. A node runs once all its consumers have
   added their contribution (``+=``) to its gradient: reverse topological order. Its rules
   turn the gradient of its output into one gradient per input, passed on to the input's node,
   or added into a leaf's ``.grad``.
3. Unless ``retain_graph``, each node's saved values are freed as soon as it has run.

>>> import d2lad
>>> x = d2lad.tensor([1.0, 2.0], requires_grad=True)
>>> y = (x * x).sum()
>>> d2lad.autograd.grad(y, x)
(tensor([2., 4.]),)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad.engine.grad_mode import STATE
from d2lad.engine.node import Node
from d2lad.engine.tensor import Tensor, wrap

ndarray = np.ndarray

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
         "backward through the graph a second time or if you need to access saved tensors after "
         "calling backward.")


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """Add the gradients of ``tensors`` into the ``.grad`` of the leaves (PyTorch's
    ``torch.autograd.backward``); ``inputs`` limits which leaves receive them.

    >>> import d2lad
    >>> x = d2lad.tensor(3.0, requires_grad=True)
    >>> backward(x * x); x.grad
    tensor(6.)
    """
    outputs = _as_list(tensors)
    seeds = _seeds(outputs, grad_tensors, create_graph)
    only = None if inputs is None else _as_list(inputs)
    if only is not None and not only:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    run(outputs, seeds, create_graph if retain_graph is None else retain_graph, create_graph,
        only, accumulate=True)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated
    (PyTorch's ``torch.autograd.grad``).

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> (g,) = grad(x ** 3, x, create_graph=True); g
    tensor(12., grad_fn=<MulBackward0>)
    >>> grad(g, x)
    (tensor(12.),)
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (index {i}) does not require "
                               "grad. Create it with requires_grad=True or call "
                               ".requires_grad_() on it first.")
    seeds = _seeds(outs, grad_outputs, create_graph)
    found = run(outs, seeds, create_graph if retain_graph is None else retain_graph,
                create_graph, ins, accumulate=False)
    result = []
    for i, t in enumerate(ins):
        g = found.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                               "used in the graph. Set allow_unused=True if this is the desired "
                               "behavior.")
        result.append(g if g is None or create_graph else wrap(g))
    return tuple(result)


def _as_list(x: Any) -> list:
    return [x] if isinstance(x, Tensor) else list(x)


def _seeds(outputs: list[Tensor], grads: Any, create_graph: bool) -> list[Any]:
    """The starting gradient for each output: given, or 1 for a single-element output."""
    if grads is None or isinstance(grads, Tensor):
        grads = [grads] * len(outputs) if len(outputs) == 1 or grads is None else [grads]
    grads = list(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} gradients for {len(outputs)} outputs; "
                           "pass one gradient per output tensor")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor) or not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn. "
                "Its value was computed from tensors that do not require grad (or under "
                "no_grad()): create the input with requires_grad=True, e.g. "
                "x = d2lad.arange(4.0, requires_grad=True).")
        out_shape = np.shape(out._data)
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs. This output has "
                    f"shape {list(out_shape)}: reduce it first (y.sum().backward() adds up the "
                    "gradients of all its elements) or pass the vector of the vector-Jacobian "
                    "product: y.backward(gradient=d2lad.ones_like(y)).")
            value = np.ones(out_shape, dtype=out._data.dtype)
            seeds.append(wrap(value) if create_graph else value)
            continue
        g_arr = g._data if isinstance(g, Tensor) else np.asarray(g)
        if np.shape(g_arr) != out_shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of "
                f"torch.Size({list(np.shape(g_arr))}) and output[{i}] has a shape of "
                f"torch.Size({list(out_shape)}). The gradient argument must have the shape of "
                "the tensor backward starts from.")
        g_arr = np.asarray(g_arr, dtype=out._data.dtype)
        if create_graph:
            seeds.append(g if isinstance(g, Tensor) and g._data is g_arr else wrap(g_arr))
        else:
            seeds.append(g_arr)
    return seeds


def run(outputs: list[Tensor], seeds: list[Any], retain_graph: bool, create_graph: bool,
        inputs: list[Tensor] | None, accumulate: bool) -> dict[int, Any]:
    """The walk itself. Returns, for ``inputs`` given by id, the gradients found for them.

    ``accumulate=True`` adds into ``.grad`` (of ``inputs`` only, if given); ``False`` only
    collects the gradients of ``inputs`` (``autograd.grad``).
    """
    targets = _targets(inputs)
    found: dict[int, Any] = {}
    roots: dict[Node, Any] = {}
    for out, seed in zip(outputs, seeds):
        node = out.grad_fn
        if node is None:  # the output is a leaf itself
            _deliver(out, seed, seed, targets, found, accumulate, create_graph)
        else:
            roots[node] = roots[node] + seed if node in roots else seed
    if not roots:
        return found
    pending = _count_consumers(list(roots))
    buffers = dict(roots)
    ready = [node for node in roots if pending[node] == 0]
    prev_mode = STATE.enabled
    STATE.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            g = buffers.pop(node)
            if node.retained is not None or targets is not None:
                _collect(node, g, targets, found, create_graph)
            inputs = node.inputs
            if inputs is None:
                raise RuntimeError(FREED)
            if node.inplace_count != STATE.inplace_count:
                _check_versions(node)
            prim = node.prim
            if create_graph:
                args = inputs
                ans = None if node.ans is None else _ans_tensor(node)
            else:
                if len(inputs) == 2:
                    x, y = inputs
                    args = (x._data if isinstance(x, Tensor) else x,
                            y._data if isinstance(y, Tensor) else y)
                elif len(inputs) == 1:
                    x = inputs[0]
                    args = (x._data if isinstance(x, Tensor) else x,)
                else:
                    args = [a._data if isinstance(a, Tensor) else a for a in inputs]
                ans = node.ans
            params = node.params
            for i, p in enumerate(node.parents):
                if p is None:
                    continue
                if prim.variadic:
                    gi = prim.vjp[0](g, ans, *args, argnum=i, **params)
                elif params:
                    gi = prim.vjp[i](g, ans, *args, **params)
                else:
                    gi = prim.vjp[i](g, ans, *args)
                if type(p) is Node:
                    if p in buffers:
                        buffers[p] = buffers[p] + gi
                    else:
                        buffers[p] = gi
                    left = pending[p] - 1
                    pending[p] = left
                    if not left:
                        ready.append(p)
                else:
                    _deliver(p, gi, g, targets, found, accumulate, create_graph)
            if not retain_graph and (prim.saves or prim.saves_ans):
                node.inputs = node.ans = None  # free what the rules saved; edges stay
    finally:
        STATE.enabled = prev_mode
    return found


def _targets(inputs: list[Tensor] | None) -> dict[Any, int] | None:
    """Where to collect gradients: leaf tensors by id, non-leaf tensors by their node."""
    if inputs is None:
        return None
    targets: dict[Any, int] = {}
    for t in inputs:
        targets[id(t) if t.grad_fn is None else t.grad_fn] = id(t)
    return targets


def _count_consumers(roots: list[Node]) -> dict[Node, int]:
    """For every node reachable from ``roots``, how many edges into it the graph has."""
    pending = dict.fromkeys(roots, 0)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for p in node.parents:
            if type(p) is Node:
                if p in pending:
                    pending[p] += 1
                else:
                    pending[p] = 1
                    stack.append(p)
    return pending


def _ans_tensor(node: Node) -> Tensor:
    """The output of ``node`` as a tensor whose history is ``node`` itself (for create_graph);
    a dual number when forward mode recorded the node (see ``d2lad.modes.forward``)."""
    ans = wrap(node.ans, node)
    tangent = getattr(node, "ans_tangent", None)
    if tangent is None:
        return ans
    from d2lad.modes.forward import dual

    return dual(ans, *tangent)


def _collect(node: Node, g: Any, targets: dict | None, found: dict, create_graph: bool) -> None:
    """A gradient reaching a node: keep it for ``retain_grad`` and for ``autograd.grad``."""
    if node.retained is not None:
        t = node.retained()
        if t is not None:
            _accumulate(t, g, g, create_graph)
    if targets is not None and node in targets:
        key = targets[node]
        found[key] = found[key] + g if key in found else g


def _deliver(leaf: Tensor, gi: Any, g: Any, targets: dict | None, found: dict,
             accumulate: bool, create_graph: bool) -> None:
    """A gradient reaching a leaf: collect it (autograd.grad) or add it into ``leaf.grad``."""
    if targets is not None:
        key = id(leaf)
        if key not in targets:
            return
        if not accumulate:
            found[key] = found[key] + gi if key in found else gi
            return
    _accumulate(leaf, gi, g, create_graph)


def _accumulate(t: Tensor, gi: Any, g: Any, create_graph: bool) -> None:
    """``t.grad += gi``. The first gradient is stored without a copy when nothing else can
    see its memory (PyTorch does the same), so later in-place ``+=`` and ``zero_()`` are safe."""
    dtype = t._data.dtype
    old = t._grad
    if create_graph:
        gt = gi if isinstance(gi, Tensor) else wrap(np.asarray(gi, dtype=dtype))
        t._grad = gt if old is None else old + gt
        return
    if isinstance(gi, Tensor):
        gi = gi._data
    if old is None:
        if gi is g or type(gi) is not ndarray or gi.base is not None or gi.dtype != dtype:
            gi = np.array(gi, dtype=dtype)
        t._grad = wrap(gi)
        return
    a = old._data
    if type(a) is ndarray and a.flags.writeable:
        np.add(a, gi, out=a, casting="unsafe")
    else:
        old._data = np.asarray(a + gi, dtype=dtype)


def _check_versions(node: Node) -> None:
    """Raise PyTorch's error when a value this node saved was changed in place since."""
    prim = node.prim
    expected = node.versions or (0,) * len(prim.saves)
    for i, version in zip(prim.saves, expected):
        x = node.inputs[i]
        if isinstance(x, Tensor) and x._version != version:
            made_by = (f", which is output 0 of {x.grad_fn.name()}," if x.grad_fn else "")
            raise _inplace_error(x, made_by, x._version, version, node)
    vc = node.ans_version
    if vc is not None and vc[0] != 0:
        raise _inplace_error(None, f", which is output 0 of {node.name()},", vc[0], 0, node,
                             np.shape(node.ans), node.ans.dtype)


def _inplace_error(x: Tensor | None, made_by: str, version: int, expected: int, node: Node,
                   shape: tuple = (), dtype: Any = None) -> RuntimeError:
    if x is not None:
        shape, dtype = np.shape(x._data), x._data.dtype
    kind = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor"}.get(
        str(dtype), "Tensor")
    dims = ", ".join(str(s) for s in shape)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{kind} [{dims}]]{made_by} is at version {version}; expected version "
        f"{expected} instead. {node.name()} saved this value to compute its gradient; change a "
        "copy instead (y = y + 1 rather than y += 1, or x.clone()).")
