"""A node of the backward graph: one recorded primitive call (what PyTorch calls a ``grad_fn``).

A node holds what its derivative rule needs (the inputs, the output's value) and one edge per
input: the input's own node, the leaf tensor itself (where gradients accumulate), or ``None`` for
an input that needs no gradient. Edges point from a result back to its inputs only, and a node
never references the tensor it produced, so a graph has no reference cycles and is freed by
reference counting as soon as its last tensor goes.

>>> import d2lad
>>> x = d2lad.tensor(2.0, requires_grad=True)
>>> y = x * x
>>> y.grad_fn
<MulBackward0>
>>> y.grad_fn.next_functions[0][0].variable is x
True
"""

from __future__ import annotations

from typing import Any


class Node:
    """One primitive call recorded for backward. Fields (all set by ``primitive.apply``):

    - ``prim``: the :class:`~d2lad.engine.primitive.Primitive` (its derivative rules);
    - ``inputs``: the arguments as given (tensors and constants); ``None`` once freed;
    - ``parents``: per input, its node, the leaf tensor, or ``None`` (no gradient needed);
    - ``params``: keyword parameters of the call (``dim``, ``shape``, ...), or ``None``;
    - ``ans``: the output's array, for rules that use it (``exp``, ``tanh``), else ``None``;
    - ``versions``: versions of the saved inputs when recorded (see ``Tensor._version``), or
      ``None`` when they were all unchanged (version 0);
    - ``inplace_count``: how many in-place changes the process had seen when recorded;
    - ``ans_version``: the output's version counter, when the rule reads the output;
    - ``retained``: a weak reference to the output tensor, set by ``Tensor.retain_grad``;
    - ``ans_tangent``: only set by forward mode (``d2lad.modes.forward``) when a dual number's
      primal was recorded: the output's tangent, so rules that read ``ans`` see it too.
    """

    __slots__ = ("prim", "inputs", "parents", "params", "ans", "versions", "inplace_count",
                 "ans_version", "retained", "ans_tangent")

    def name(self) -> str:
        """PyTorch's name for this node's backward function, e.g. ``"MulBackward0"``."""
        return self.prim.grad_fn

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where gradients flow next: ``(node_or_AccumulateGrad_or_None, 0)`` per input."""
        return tuple((AccumulateGrad(p) if p is not None and not isinstance(p, Node) else p, 0)
                     for p in self.parents)

    def __repr__(self) -> str:
        return f"<{self.prim.grad_fn}>"


class AccumulateGrad:
    """The end of a backward path: adds the incoming gradient into ``variable.grad`` (a leaf)."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any):
        self.variable = variable

    def name(self) -> str:
        """Always ``"AccumulateGrad"``, as in PyTorch."""
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        """A leaf has no inputs: an empty tuple."""
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
