"""Hints for checkers: what is wrong with an array answer, said without giving the answer.

``array_hints(got, truth, what)`` compares a learner's array with the truth (computed fresh by
the checker) and names the kind of mistake it sees: no return value, a wrong shape, the
transposed shape, float32 precision, a wrong sign, a wrong constant factor, or which elements
are off. No problem found gives ``[]``.

>>> import numpy as np
>>> truth = np.array([1.0, 2.0, 3.0])
>>> array_hints(truth.copy(), truth, "grad_w(x, w, y)")
[]
>>> array_hints(-truth, truth, "grad_w(x, w, y)")
['grad_w(x, w, y) has the wrong sign']
>>> array_hints(np.ones((1, 3)), truth, "grad_w(x, w, y)")
['grad_w(x, w, y) should have shape (3,), not (1, 3)']
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Relative agreement that float32 arithmetic reaches but float64 beats by far.
FLOAT32_RTOL = 1e-4


def fresh_tensor(a: Any) -> Any:
    """A new float64 d2lad tensor holding ``a``: what the grader passes a learner's function
    for an array input, so a checker should pass the same.

    >>> fresh_tensor([1, 2])
    tensor([1., 2.], dtype=torch.float64)
    """
    import d2lad

    return d2lad.tensor(np.array(a, dtype=np.float64))


def as_float_array(value: Any) -> tuple[np.ndarray | None, str | None]:
    """``(array, None)`` for anything numpy turns into float64 numbers, else ``(None, why)``.

    >>> as_float_array([1, 2])[0]
    array([1., 2.])
    >>> as_float_array(None)[1]
    'is None: did the function forget to `return` its result?'
    """
    if value is None:
        return None, "is None: did the function forget to `return` its result?"
    if type(value).__module__.startswith("d2lad") and hasattr(value, "detach"):
        value = value.detach()  # the grader reads tensors that require grad as well
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception as err:  # tensors that require grad, strings, ragged lists...
        return None, f"could not be read as numbers ({type(err).__name__}: {err})"
    return array, None


def array_hints(got: Any, truth: Any, what: str, rtol: float = 1e-7,
                atol: float = 1e-10) -> list[str]:
    """Problems of ``got`` against ``truth`` (same shape, values within ``atol + rtol*|truth|``),
    each naming ``what`` was checked; ``[]`` when it is right."""
    truth = np.asarray(truth, dtype=np.float64)
    g, why = as_float_array(got)
    if g is None:
        return [f"{what} {why}"]
    if g.shape != truth.shape:
        if g.ndim == 2 and g.shape == truth.T.shape and g.shape[0] != g.shape[1]:
            return [f"{what} has the transposed shape {g.shape}: it should have shape "
                    f"{truth.shape}"]
        return [f"{what} should have shape {truth.shape}, not {g.shape}"]
    if not np.isfinite(g).all():
        return [f"{what} contains nan or inf"]
    if np.allclose(g, truth, rtol=rtol, atol=atol):
        return []
    if np.allclose(g, truth, rtol=FLOAT32_RTOL, atol=max(atol, 1e-6)):
        return [f"{what} agrees only to about 7 digits, float32 precision: compute in float64 "
                "(d2lad.tensor makes float32 from Python numbers and lists; it keeps numpy's "
                "float64)"]
    if np.allclose(-g, truth, rtol=rtol, atol=atol):
        return [f"{what} has the wrong sign"]
    scale = float(np.vdot(truth, truth))
    if scale > 0 and truth.size > 1:
        c = float(np.vdot(truth, g)) / scale
        if abs(c) > 1e-12 and np.allclose(g, c * truth, rtol=1e-6, atol=atol):
            return [f"{what} is a constant multiple of the right result: check the constant "
                    "factors"]
    if g.ndim == 0:
        return [f"{what} is off"]
    bad = ~np.isclose(g, truth, rtol=rtol, atol=atol)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return [f"{int(bad.sum())} of {truth.size} elements of {what} are off (the first at "
            f"index {first})"]


RTOL, ATOL = 1e-6, 1e-8  # as the grader's allclose


def detached(value: Any) -> Any:
    """Tensors (also inside a tuple or list) without their history, as the grader reads them.

    >>> import d2lad
    >>> detached([d2lad.ones(1, requires_grad=True)])[0].requires_grad
    False
    """
    from d2lad.engine.tensor import Tensor

    if isinstance(value, Tensor):
        return value.detach()
    if isinstance(value, (list, tuple)):
        return [detached(v) for v in value]
    return value


def first_problem(got: Any, truth: Any, what: str, rtol: float = RTOL,
                  atol: float = ATOL) -> str | None:
    """The first problem of ``got`` against ``truth`` (see ``array_hints``), or None.

    >>> first_problem([1.0, 2.0], [1.0, 2.0], "the gradient") is None
    True
    """
    problems = array_hints(detached(got), detached(truth), what, rtol, atol)
    return problems[0] if problems else None
