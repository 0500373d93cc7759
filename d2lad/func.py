"""Function transforms, as ``torch.func`` / JAX: derivatives of functions, not of tensors.

``grad``, ``value_and_grad``, ``vjp`` and ``jacrev`` use reverse accumulation; ``jvp`` and
``jacfwd`` forward accumulation (dual numbers, see ``d2lad.modes.forward``); ``hessian`` is
forward-over-reverse, ``jacfwd(jacrev(f))``. They nest to any order: ``grad(grad(grad(f)))``.

>>> import d2lad
>>> f = lambda x: (x ** 3).sum()
>>> grad(f)(d2lad.tensor([1.0, 2.0]))
tensor([ 3., 12.])
>>> grad(grad(lambda x: x ** 3))(d2lad.tensor(2.0))
tensor(12.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from d2lad.engine.backward import grad as autograd_grad
from d2lad.engine.creation import as_tensor
from d2lad.engine.functions import permute, reshape
from d2lad.engine.tensor import Tensor, wrap
from d2lad.modes.forward import TRANSFORMS, Dual, dual
from d2lad.modes.forward import jvp as _jvp

__all__ = ["grad", "hessian", "jacfwd", "jacrev", "jvp", "value_and_grad", "vjp"]

jvp = _jvp


def _argnums(argnums: int | Sequence[int]) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, int):
        return (argnums,), True
    return tuple(argnums), False


def _leaf(x: Any) -> tuple[Tensor, Tensor, bool]:
    """What ``f`` sees, the tensor reverse mode differentiates against, and whether the result
    must stay differentiable (an enclosing transform is watching ``x``)."""
    if isinstance(x, Dual):
        inner, target, _ = _leaf(x.primal)
        return dual(inner, x.tangent, x.level), target, True
    x = x if isinstance(x, Tensor) else as_tensor(x)
    if x.requires_grad:
        return x, x, True
    if x._data.dtype.kind != "f":
        raise TypeError(f"can only differentiate with respect to floating point inputs, got "
                        f"{x.dtype}; pass e.g. d2lad.tensor(2.0) instead of d2lad.tensor(2)")
    leaf = wrap(x._data)
    leaf._requires_grad = True
    return leaf, leaf, False


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """A function returning ``(f(*args), gradient)`` for a scalar ``f`` (one reverse pass).

    >>> import d2lad
    >>> value_and_grad(lambda x: (x * x).sum())(d2lad.tensor([1.0, 2.0]))
    (tensor(5.), tensor([2., 4.]))
    """
    nums, single = _argnums(argnums)

    def wrapped(*args: Any) -> Any:
        args = list(args)
        targets, nested = [], False
        for i in nums:
            args[i], target, watched = _leaf(args[i])
            targets.append(target)
            nested = nested or watched
        with TRANSFORMS:
            out = f(*args)
        aux = None
        if has_aux:
            out, aux = out
        if not isinstance(out, Tensor) or out._data.size != 1:
            shape = list(np.shape(getattr(out, "_data", out)))
            raise RuntimeError(f"grad requires a function with a single-element output, got "
                               f"shape {shape}; use jacrev or vjp for other outputs")
        if not out.requires_grad:
            grads = tuple(wrap(np.zeros_like(t._data)) for t in targets)
        else:
            grads = autograd_grad(out, targets, create_graph=nested, allow_unused=True)
            grads = tuple(wrap(np.zeros_like(t._data)) if g is None else g
                          for g, t in zip(grads, targets))
        value = out if nested else out.detach()
        result = grads[0] if single else grads
        return ((value, aux), result) if has_aux else (value, result)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function (reverse accumulation).

    >>> import d2lad
    >>> grad(d2lad.sin)(d2lad.tensor(0.0))
    tensor(1.)
    """
    vg = value_and_grad(f, argnums, has_aux)

    def wrapped(*args: Any) -> Any:
        value, g = vg(*args)
        return (g, value[1]) if has_aux else g

    return wrapped


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(f(*primals), vjp_fn)`` where ``vjp_fn(v)`` gives vᵀJ for each primal (reverse mode).

    >>> import d2lad
    >>> out, vjp_fn = vjp(lambda x: x * 2, d2lad.tensor([1.0, 2.0]))
    >>> vjp_fn(d2lad.tensor([1.0, 1.0]))
    (tensor([2., 2.]),)
    """
    args, targets, nested = [], [], False
    for p in primals:
        seen, target, watched = _leaf(p)
        args.append(seen)
        targets.append(target)
        nested = nested or watched
    with TRANSFORMS:
        out = f(*args)

    def vjp_fn(cotangent: Any) -> tuple[Tensor, ...]:
        v = cotangent if isinstance(cotangent, Tensor) else as_tensor(cotangent)
        if not out.requires_grad:
            return tuple(wrap(np.zeros_like(t._data)) for t in targets)
        keep = nested or v.requires_grad or isinstance(v, Dual)
        grads = autograd_grad(out, targets, grad_outputs=v, retain_graph=True,
                              create_graph=keep, allow_unused=True)
        return tuple(wrap(np.zeros_like(t._data)) if g is None else g
                     for g, t in zip(grads, targets))

    return (out if nested else out.detach()), vjp_fn


def jacrev(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Tensor]:
    """The Jacobian by reverse accumulation: the rows vᵀJ for every unit vector v.

    vᵀJ is linear in v, so all m rows come from one reverse pass that carries a batch of m
    cotangents (pushed through the vjp rules as dual numbers), as ``torch.func.jacrev``'s
    vmap does.

    >>> import d2lad
    >>> jacrev(lambda x: x * x)(d2lad.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """

    def wrapped(*args: Any) -> Tensor:
        x = args[argnums]
        x = x if isinstance(x, Tensor) else as_tensor(x)
        out, vjp_fn = vjp(lambda z: f(*args[:argnums], z, *args[argnums + 1:]), x)
        m = out._data.size
        dtype = out._data.dtype
        basis = wrap(np.eye(m, dtype=dtype).reshape((m,) + out._data.shape))
        origin = wrap(np.zeros(out._data.shape, dtype=dtype))
        _, rows = jvp(lambda v: vjp_fn(v)[0], (origin,), (basis,))
        return reshape(rows, tuple(out.shape) + tuple(x.shape))

    return wrapped


def jacfwd(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Tensor]:
    """The Jacobian by forward accumulation: all n basis tangents pushed through in one pass.

    >>> import d2lad
    >>> jacfwd(lambda x: x * x)(d2lad.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """

    def wrapped(*args: Any) -> Tensor:
        x = args[argnums]
        x = x if isinstance(x, Tensor) else as_tensor(x)
        n = x._data.size
        dtype = x._data.dtype if x._data.dtype.kind == "f" else np.float32
        basis = wrap(np.eye(n, dtype=dtype).reshape((n,) + x._data.shape))
        out, tangents = jvp(lambda z: f(*args[:argnums], z, *args[argnums + 1:]), (x,), (basis,))
        flat = reshape(tangents, (n, -1))
        return reshape(permute(flat, 1, 0), tuple(out.shape) + tuple(x.shape))

    return wrapped


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Tensor]:
    """The matrix of second derivatives of a scalar function: forward-over-reverse.

    >>> import d2lad
    >>> hessian(lambda x: (x ** 3).sum())(d2lad.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(f, argnums), argnums)
