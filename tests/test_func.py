"""Function transforms (d2lad.func): each checked against finite differences in float64 and,
where PyTorch is installed, against torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import d2lad
from d2lad import func

RNG = np.random.default_rng(7)
A = RNG.standard_normal((4, 3))
B = RNG.standard_normal((3, 2))


def vector_fn(T, x):
    """R^3 -> R^4 with broadcasting, a matrix product, and a reduction."""
    a = T.tensor(A)
    return T.tanh(a @ x) * T.sin(x).sum() + T.exp(x[0]) * a[:, 1]


def scalar_fn(T, x):
    """R^3 -> R with a product, a power, a norm and a reduction over a matrix product."""
    b = T.tensor(B)
    return (T.sin(x) * x ** 2).sum() + T.tanh(x.reshape(1, 3) @ b).sum() + x.norm() ** 3


def numeric_jacobian(f, x, eps=1e-6):
    """Central differences, column by column, in plain numpy (no d2lad derivatives)."""
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = eps
        plus = np.asarray(f(d2lad.tensor(x + e))._data, dtype=np.float64)
        minus = np.asarray(f(d2lad.tensor(x - e))._data, dtype=np.float64)
        cols.append(((plus - minus) / (2 * eps)).ravel())
    out_shape = np.shape(f(d2lad.tensor(x))._data)
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape)


X0 = RNG.standard_normal(3)


def f_vec(x):
    return vector_fn(d2lad, x)


def f_scalar(x):
    return scalar_fn(d2lad, x)


@pytest.mark.parametrize("jac", [func.jacfwd, func.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_matches_finite_differences(jac):
    got = jac(f_vec)(d2lad.tensor(X0)).numpy()
    assert got.shape == (4, 3)
    np.testing.assert_allclose(got, numeric_jacobian(f_vec, X0), rtol=1e-6, atol=1e-8)


def test_jacfwd_equals_jacrev():
    np.testing.assert_allclose(func.jacfwd(f_vec)(d2lad.tensor(X0)).numpy(),
                               func.jacrev(f_vec)(d2lad.tensor(X0)).numpy(), rtol=1e-12,
                               atol=1e-13)


def test_jacobian_of_matrix_input_keeps_shapes():
    w = d2lad.tensor(RNG.standard_normal((3, 2)))

    def f(w):
        return d2lad.tanh(d2lad.tensor(A) @ w).sum(dim=0)

    fwd, rev = func.jacfwd(f)(w), func.jacrev(f)(w)
    assert tuple(fwd.shape) == (2, 3, 2) == tuple(rev.shape)
    numeric = numeric_jacobian(f, w.numpy())
    np.testing.assert_allclose(fwd.numpy(), numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(rev.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_hessian_is_symmetric_and_the_jacobian_of_the_gradient():
    h = func.hessian(f_scalar)(d2lad.tensor(X0)).numpy()
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12)

    def gradient(x):
        return func.grad(f_scalar)(x)

    np.testing.assert_allclose(h, numeric_jacobian(gradient, X0), rtol=1e-6, atol=1e-7)
    assert not func.hessian(f_scalar)(d2lad.tensor(X0)).requires_grad


def test_jvp_is_the_directional_derivative_and_vjp_its_transpose():
    v, u = RNG.standard_normal(3), RNG.standard_normal(4)
    out, jv = func.jvp(f_vec, (d2lad.tensor(X0),), (d2lad.tensor(v),))
    eps = 1e-6
    fd = (f_vec(d2lad.tensor(X0 + eps * v)).numpy() - f_vec(d2lad.tensor(X0 - eps * v)).numpy())
    np.testing.assert_allclose(jv.numpy(), fd / (2 * eps), rtol=1e-6, atol=1e-8)
    _, vjp_fn = func.vjp(f_vec, d2lad.tensor(X0))
    (ju,) = vjp_fn(d2lad.tensor(u))
    assert np.dot(u, jv.numpy()) == pytest.approx(np.dot(ju.numpy(), v), rel=1e-12)
    np.testing.assert_allclose(out.numpy(), f_vec(d2lad.tensor(X0)).numpy())


def test_jvp_with_a_batch_of_tangents_is_one_column_each():
    basis = np.eye(3)
    _, tangents = func.jvp(f_vec, (d2lad.tensor(X0),), (d2lad.tensor(basis),))
    assert tuple(tangents.shape) == (3, 4)
    np.testing.assert_allclose(tangents.numpy().T, numeric_jacobian(f_vec, X0), rtol=1e-6,
                               atol=1e-8)


def test_third_derivative_by_nesting_grad():
    x = d2lad.tensor(0.7, dtype=d2lad.float64)
    third = func.grad(func.grad(func.grad(lambda x: d2lad.sin(x) * x)))(x)
    # d³/dx³ (x sin x) = -3 sin x - x cos x
    assert third.item() == pytest.approx(-3 * np.sin(0.7) - 0.7 * np.cos(0.7), rel=1e-12)


@pytest.mark.parametrize("order", ["fwd-fwd", "rev-rev", "fwd-rev", "rev-fwd"])
def test_every_nesting_order_gives_the_same_hessian(order):
    outer = func.jacfwd if order.startswith("fwd") else func.jacrev
    inner = func.jacfwd if order.endswith("fwd") else func.jacrev
    h = outer(inner(f_scalar))(d2lad.tensor(X0)).numpy()
    np.testing.assert_allclose(h, func.hessian(f_scalar)(d2lad.tensor(X0)).numpy(),
                               rtol=1e-10, atol=1e-12)


def test_gradient_of_a_jvp_is_a_hessian_vector_product():
    v = RNG.standard_normal(3)

    def directional(x):
        return func.jvp(f_scalar, (x,), (d2lad.tensor(v),))[1]

    hv = func.grad(directional)(d2lad.tensor(X0)).numpy()
    np.testing.assert_allclose(hv, func.hessian(f_scalar)(d2lad.tensor(X0)).numpy() @ v,
                               rtol=1e-10)


def test_value_and_grad_argnums_and_aux():
    def f(x, y):
        loss = (x * y).sum()
        return loss, {"double": 2 * loss}

    x, y = d2lad.tensor([1.0, 2.0]), d2lad.tensor([3.0, 4.0])
    (value, aux), (gx, gy) = func.value_and_grad(f, argnums=(0, 1), has_aux=True)(x, y)
    assert value.item() == 11.0 and aux["double"].item() == 22.0
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    assert not x.requires_grad  # the transform did not touch the caller's tensors


def test_grad_of_a_non_scalar_function_explains_what_to_use():
    with pytest.raises(RuntimeError, match="single-element output"):
        func.grad(lambda x: x * 2)(d2lad.tensor([1.0, 2.0]))


def test_transforms_are_exported_at_top_level():
    assert d2lad.jacfwd is func.jacfwd and d2lad.hessian is func.hessian
    assert d2lad.grad is func.grad and d2lad.jvp is func.jvp


def test_against_torch_func():
    torch = pytest.importorskip("torch")
    tx = torch.tensor(X0)
    pairs = [
        (func.jacfwd(f_vec), torch.func.jacfwd(lambda x: vector_fn(torch, x))),
        (func.jacrev(f_vec), torch.func.jacrev(lambda x: vector_fn(torch, x))),
        (func.hessian(f_scalar), torch.func.hessian(lambda x: scalar_fn(torch, x))),
        (func.grad(f_scalar), torch.func.grad(lambda x: scalar_fn(torch, x))),
    ]
    for mine, theirs in pairs:
        np.testing.assert_allclose(mine(d2lad.tensor(X0)).numpy(), theirs(tx).numpy(),
                                   rtol=1e-12, atol=1e-13)
