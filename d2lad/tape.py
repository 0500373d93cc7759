"""TensorFlow's ``GradientTape`` on d2lad's engine: the same reverse mode, another way to ask.

PyTorch marks leaves (``requires_grad=True``) and accumulates into ``.grad``; TensorFlow opens a
tape, runs the computation inside ``with``, and *asks* the tape for gradients, which it returns.
Both are one recorded graph walked backward; this tape is a thin layer over d2lad's walk.

>>> import d2lad
>>> x = d2lad.arange(4.0, requires_grad=True)      # a trainable tensor: watched by default
>>> with GradientTape() as t:
...     y = 2 * d2lad.dot(x, x)
>>> t.gradient(y, x)
tensor([ 0.,  4.,  8., 12.])

What is watched: tensors that require grad (TF's trainable ``Variable``) automatically, unless
``watch_accessed_variables=False``; any other float tensor only after ``tape.watch(x)``. Watching
a constant sets ``requires_grad`` on it while the tape records, and resets it when the ``with``
block ends, so its gradient is available from this tape only.

Differences from TensorFlow, accepted to keep one engine:

- d2lad records every operation on tensors that require grad, inside a tape or not. A gradient
  of a computation done outside the ``with`` block is therefore found here, where TF answers
  ``None``. ``d2lad.tf`` tensors do follow TF (their operations are recorded only while a tape
  records), and so does ``tape.watch`` (a watched constant is tracked only inside the block).
- Nested tapes share one graph: an operation recorded while two tapes are open is seen by both,
  as in TF, but one recorded while only the outer tape was open is seen by the inner one too.
- Higher-order gradients work as in TF: a gradient asked for while another tape records is
  computed with ``create_graph=True`` and is differentiable by that tape.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from d2lad.engine.backward import run
from d2lad.engine.functions import reshape, stack
from d2lad.engine.grad_mode import STATE
from d2lad.engine.tensor import Tensor, wrap

__all__ = ["GradientTape", "is_recording", "stop_gradient"]

NON_PERSISTENT = (
    "A non-persistent GradientTape can only be used to compute one set of gradients "
    "(or jacobians)\nIt freed what it recorded after the first call: create it with "
    "GradientTape(persistent=True) to ask it several times (and `del` it when done).")

_ACTIVE: list[GradientTape] = []  # tapes inside their ``with`` block, innermost last
_LENT: dict[int, int] = {}  # id of a watched constant -> how many open tapes watch it


def is_recording() -> bool:
    """True while a GradientTape records (inside its ``with``, outside ``stop_recording``).

    >>> is_recording()
    False
    >>> with GradientTape():
    ...     is_recording()
    True
    """
    return bool(_ACTIVE) and STATE.enabled


def stop_gradient(x: Any) -> Tensor:
    """The same values with no history: gradients do not flow back through it (``detach``).

    >>> import d2lad
    >>> x = d2lad.tensor(3.0, requires_grad=True)
    >>> stop_gradient(x * x)
    tensor(9.)
    """
    if isinstance(x, Tensor):
        return x.detach()
    return wrap(np.asarray(x))


class GradientTape:
    """Record operations inside ``with``, then ask for gradients (TensorFlow's tape).

    ``persistent=False``: the tape answers one ``gradient`` (or ``jacobian``) call and frees
    its record; ``persistent=True`` answers any number. ``watch_accessed_variables=True``:
    tensors that require grad are watched without asking.

    >>> import d2lad
    >>> x = d2lad.tensor(3.0)                         # a constant: watch it explicitly
    >>> with GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> t.gradient(y, x)
    tensor(6.)
    """

    result_type: ClassVar[type[Tensor] | None] = None  # facades return their own tensor class

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._watched: dict[int, Tensor] = {}  # explicitly watched, by id (keeps them alive)
        self._lent: list[Tensor] = []  # constants this tape switched requires_grad on for
        self._used = False
        self._prev_enabled = True

    @property
    def persistent(self) -> bool:
        """Whether ``gradient`` may be called more than once.

        >>> GradientTape(persistent=True).persistent
        True
        """
        return self._persistent

    # ---- recording -----------------------------------------------------------------------------

    def __enter__(self) -> GradientTape:
        if self in _ACTIVE:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter "
                             "an already-active tape: open a new GradientTape instead.")
        _ACTIVE.append(self)
        self._prev_enabled = STATE.enabled
        STATE.enabled = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        STATE.enabled = self._prev_enabled
        for t in self._lent:
            left = _LENT.get(id(t), 1) - 1
            if left > 0:
                _LENT[id(t)] = left
                continue
            _LENT.pop(id(t), None)
            if t.grad_fn is None:
                t._requires_grad = False  # the constant is a constant again outside the tape
        self._lent = []

    @contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Run a block without recording (d2lad: without recording on any tape).

        >>> import d2lad
        >>> x = d2lad.tensor(2.0, requires_grad=True)
        >>> with GradientTape() as t:
        ...     with t.stop_recording():
        ...         y = x * x
        >>> y.requires_grad
        False
        """
        prev = STATE.enabled
        STATE.enabled = False
        try:
            yield
        finally:
            STATE.enabled = prev

    def watch(self, tensor: Any) -> None:
        """Track ``tensor`` (or each tensor of a nested list/tuple/dict) on this tape.

        A float constant gets ``requires_grad`` while the tape records, so operations on it are
        recorded; it becomes a constant again when the ``with`` block ends.

        >>> import d2lad
        >>> c = d2lad.tensor([1.0, 2.0])
        >>> with GradientTape() as t:
        ...     t.watch(c)
        ...     y = (c * c).sum()
        >>> t.gradient(y, c), c.requires_grad
        (tensor([2., 4.]), False)
        """
        if self not in _ACTIVE:
            raise RuntimeError("GradientTape.watch() works while the tape records: call it "
                               "inside the `with GradientTape() as tape:` block.")
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"watch() expects tensors, got {type(t).__name__}: make one "
                                "first, e.g. x = tf.constant(3.0).")
            if id(t) in self._watched:
                continue
            if t._data.dtype.kind != "f":
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. "
                              f"float32), got {t.dtype}: its gradient will be None.",
                              stacklevel=2)
                continue
            self._watched[id(t)] = t
            if id(t) in _LENT:  # a constant another open tape is watching
                _LENT[id(t)] += 1
                self._lent.append(t)
            elif not t._requires_grad:
                _LENT[id(t)] = 1
                self._lent.append(t)
                t._requires_grad = True

    def _is_watched(self, t: Tensor) -> bool:
        if id(t) in self._watched:
            return True
        if not t._requires_grad:
            return False
        if t.grad_fn is not None:  # an intermediate result computed from watched tensors
            return True
        return self._watch_accessed_variables and id(t) not in _LENT

    # ---- asking for gradients ------------------------------------------------------------------

    def _use(self) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(NON_PERSISTENT)
        self._used = True

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """d(target)/d(sources), returned in the structure of ``sources``.

        ``target`` may be a tensor or a list of them (their gradients add up); a non-scalar
        target gives the gradient of its sum, unless ``output_gradients`` gives the vector of
        the vector-Jacobian product. A source the target does not depend on (or one that is not
        watched) gives ``None``, or zeros with ``unconnected_gradients="zero"``.

        >>> import d2lad
        >>> x = d2lad.tensor([1.0, 2.0], requires_grad=True)
        >>> c = d2lad.tensor(5.0)
        >>> with GradientTape() as t:
        ...     y = x * x * c
        >>> t.gradient(y, [x, c])
        [tensor([10., 20.]), None]
        """
        self._use()
        flat_sources = _flatten(sources)
        grads = self._vjp(_flatten(target), _seeds_like(target, output_gradients),
                          flat_sources, retain=self._persistent)
        out = [self._finish(g, s, unconnected_gradients) for g, s in zip(grads, flat_sources)]
        return _pack(sources, iter(out))

    def jacobian(self, target: Tensor, sources: Any,
                 unconnected_gradients: str = "none", **_: Any) -> Any:
        """The full Jacobian d(target)/d(source), of shape ``target.shape + source.shape``.

        One backward walk per element of ``target``.

        >>> import d2lad
        >>> x = d2lad.tensor([1.0, 2.0], requires_grad=True)
        >>> with GradientTape() as t:
        ...     y = x * x
        >>> t.jacobian(y, x)
        tensor([[2., 0.],
                [0., 4.]])
        """
        self._use()
        flat_sources = _flatten(sources)
        n = int(np.size(target._data))
        rows: list[list[Any]] = []
        for k in range(n):
            seed = np.zeros(n, dtype=target._data.dtype)
            seed[k] = 1
            rows.append(self._vjp([target], [seed.reshape(np.shape(target._data))],
                                  flat_sources, retain=True))
        out = []
        for j, s in enumerate(flat_sources):
            column = [row[j] for row in rows]
            if all(g is None for g in column) and unconnected_gradients == "none":
                out.append(None)
                continue
            parts = [wrap(np.zeros(np.shape(s._data), dtype=s._data.dtype)) if g is None
                     else g if isinstance(g, Tensor) else wrap(np.asarray(g, s._data.dtype))
                     for g in column]
            shape = tuple(np.shape(target._data)) + tuple(np.shape(s._data))
            jac = reshape(stack(parts), shape) if parts else wrap(np.zeros(shape, s._data.dtype))
            out.append(self._finish(jac, s, unconnected_gradients))
        return _pack(sources, iter(out))

    def _vjp(self, targets: list[Any], seeds: list[Any], sources: list[Any],
             retain: bool) -> list[Any]:
        """One backward walk: the gradient (array or tensor, or None) of each source."""
        for s in sources:
            if not isinstance(s, Tensor):
                raise TypeError(f"gradient() sources must be tensors or variables, got "
                                f"{type(s).__name__}: e.g. x = tf.Variable(3.0).")
        eligible = [s for s in sources if self._is_watched(s)]
        if not eligible:
            return [None] * len(sources)
        create_graph = is_recording()  # another tape is open: let it record this walk too
        outs, seed_values = [], []
        for i, (t, g) in enumerate(zip(targets, seeds)):
            if not isinstance(t, Tensor):
                raise TypeError(f"gradient() target must be a tensor, got {type(t).__name__}")
            shape, dtype = np.shape(t._data), t._data.dtype
            if g is None:
                value = np.ones(shape, dtype=dtype)
            else:
                value = np.asarray(g._data if isinstance(g, Tensor) else g, dtype=dtype)
                if value.shape != shape:
                    raise ValueError(f"output_gradients[{i}] has shape {list(value.shape)} but "
                                     f"the target has shape {list(shape)}: they must match.")
            outs.append(t)
            seed_values.append(wrap(value) if create_graph else value)
        found = run(outs, seed_values, retain or create_graph, create_graph, eligible,
                    accumulate=False)
        return [found.get(id(s)) if self._is_watched(s) else None for s in sources]

    def _finish(self, g: Any, source: Tensor, unconnected: str) -> Tensor | None:
        """A gradient as a tensor of the source's dtype (zeros for None when asked to)."""
        dtype = source._data.dtype
        if g is None:
            if str(unconnected).lower().endswith("zero"):
                g = np.zeros(np.shape(source._data), dtype=dtype)
            else:
                return None
        if not isinstance(g, Tensor):
            g = wrap(np.asarray(g, dtype=dtype))
        if self.result_type is not None and type(g) is Tensor:
            g.__class__ = self.result_type  # same layout: the facade's own tensor class
        return g


# ---- nested structures (TF's ``tf.nest``, for lists, tuples and dicts) ---------------------------

def _flatten(x: Any) -> list[Any]:
    """The leaves of a nested list/tuple/dict, in order.

    >>> _flatten([1, (2, {"a": 3})])
    [1, 2, 3]
    """
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    if isinstance(x, dict):
        return [leaf for key in sorted(x) for leaf in _flatten(x[key])]
    return [x]


def _pack(structure: Any, leaves: Iterator[Any]) -> Any:
    """``leaves`` put back into the shape of ``structure`` (the inverse of ``_flatten``).

    >>> _pack([0, (0, {"a": 0})], iter([1, 2, 3]))
    [1, (2, {'a': 3})]
    """
    if isinstance(structure, (list, tuple)):
        return type(structure)(_pack(item, leaves) for item in structure)
    if isinstance(structure, dict):
        return {key: _pack(structure[key], leaves) for key in sorted(structure)}
    return next(leaves)


def _seeds_like(target: Any, output_gradients: Any) -> list[Any]:
    """One seed (or None: ones) per flattened target."""
    n = len(_flatten(target))
    if output_gradients is None:
        return [None] * n
    seeds = _flatten(output_gradients)
    if len(seeds) != n:
        raise ValueError(f"got {len(seeds)} output_gradients for {n} targets: give one per "
                         "target, in the same structure.")
    return seeds
