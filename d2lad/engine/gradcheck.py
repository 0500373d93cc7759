"""Checking gradients against finite differences: the test every derivative rule must pass.

Central differences in float64, (f(x + eps) - f(x - eps)) / (2 eps), approximate each partial
derivative with an error of order eps²; autodiff must agree to within ``atol + rtol * |numeric|``.

>>> import d2lad
>>> x = d2lad.tensor([0.5, 1.0], dtype=d2lad.float64, requires_grad=True)
>>> gradcheck(lambda x: (x.sin() * x).sum(), x)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from d2lad.engine.backward import grad
from d2lad.engine.grad_mode import no_grad
from d2lad.engine.tensor import Tensor, wrap


class GradcheckError(RuntimeError):
    """Autodiff and finite differences disagree; the message names the worst element."""


def _outputs(result: Any) -> list[Tensor]:
    return [result] if isinstance(result, Tensor) else list(result)


def _as_float64_leaves(inputs: Sequence[Any]) -> list[Any]:
    """Float64 copies of the tensor inputs (leaves requiring grad); other arguments as given."""
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and x._data.dtype.kind == "f":
            leaf = wrap(np.array(x._data, dtype=np.float64))
            leaf._requires_grad = x._requires_grad
            out.append(leaf)
        else:
            out.append(x)
    return out


def numerical_jacobian(f: Callable[..., Any], inputs: Sequence[Any], i: int,
                       eps: float = 1e-6) -> list[np.ndarray]:
    """d outputs / d inputs[i] by central differences: one (out.size, in.size) array per output."""
    x = inputs[i]
    flat = x._data.reshape(-1)
    columns: list[list[np.ndarray]] = []
    with no_grad():
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [np.array(o._data, dtype=np.float64).ravel() for o in _outputs(f(*inputs))]
            flat[k] = orig - eps
            minus = [np.array(o._data, dtype=np.float64).ravel() for o in _outputs(f(*inputs))]
            flat[k] = orig
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(columns[0]) if columns else len(_outputs(f(*inputs)))
    return [np.stack([c[j] for c in columns], axis=1) if columns else
            np.zeros((0, 0)) for j in range(n_out)]


def analytical_jacobian(f: Callable[..., Any], inputs: Sequence[Any], i: int) -> list[np.ndarray]:
    """d outputs / d inputs[i] by reverse mode: one vector-Jacobian product per output element."""
    outs = _outputs(f(*inputs))
    x = inputs[i]
    jacobians = []
    for out in outs:
        rows = []
        for k in range(out._data.size):
            seed = np.zeros(out._data.size)
            seed[k] = 1.0
            if not out._requires_grad:
                rows.append(np.zeros(x._data.size))
                continue
            (g,) = grad(out, x, grad_outputs=wrap(seed.reshape(out._data.shape)),
                        retain_graph=True, allow_unused=True)
            rows.append(np.zeros(x._data.size) if g is None else np.asarray(g._data).ravel())
        jacobians.append(np.array(rows).reshape(out._data.size, x._data.size))
    return jacobians


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True when ``func``'s gradients match central finite differences (in float64).

    ``inputs`` is a tensor or a tuple of arguments; tensors that require grad are checked.
    On a mismatch it raises :class:`GradcheckError` naming the output, the input, the worst
    element and both values (or returns False with ``raise_exception=False``).
    """
    args = _as_float64_leaves([inputs] if isinstance(inputs, Tensor) else list(inputs))
    checked = [i for i, x in enumerate(args) if isinstance(x, Tensor) and x._requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "e.g. d2lad.randn(3, dtype=d2lad.float64, requires_grad=True)")
    for i in checked:
        numeric = numerical_jacobian(func, args, i, eps)
        analytic = analytical_jacobian(func, args, i)
        for j, (n, a) in enumerate(zip(numeric, analytic)):
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                if not raise_exception:
                    return False
                err = np.abs(a - n) - rtol * np.abs(n)
                r, c = np.unravel_index(np.argmax(err), err.shape)
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i}: at element "
                    f"(output {r}, input {c}) autodiff gives {a[r, c]:.6g} but finite "
                    f"differences give {n[r, c]:.6g}.\nnumerical:{n}\nanalytical:{a}")
    return True


def numerical_grad(f: Callable[[Tensor], Tensor], x: Tensor, eps: float = 1e-6) -> Tensor:
    """The gradient of a scalar function by central differences, in float64 (no autodiff).

    >>> import d2lad
    >>> g = numerical_grad(lambda x: (x * x).sum(), d2lad.tensor([1.0, 2.0]))
    >>> g.allclose(d2lad.tensor([2.0, 4.0], dtype=d2lad.float64))
    True
    """
    leaf = wrap(np.array(x._data, dtype=np.float64))
    (jac,) = numerical_jacobian(f, [leaf], 0, eps)
    return wrap(jac.reshape(leaf._data.shape))
