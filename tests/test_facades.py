"""The TensorFlow and MXNet idioms on d2lad's engine: d2l's autograd code as written, each
framework's gradient semantics (tape, watch, one-shot; record, attach_grad, overwrite), and
gradients against float64 finite differences."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as onp
import pytest

import d2lad
import d2lad.tf as tf
from d2lad import tape as tape_module
from d2lad.mx import NDArray, autograd, nd, np, npx


def values(t: Any) -> onp.ndarray:
    return onp.asarray(t._data)


def central_differences(f: Callable[[onp.ndarray], float], x: onp.ndarray,
                        eps: float = 1e-6) -> onp.ndarray:
    """d f / d x by central differences, in float64."""
    x = onp.array(x, dtype=onp.float64)
    g = onp.zeros_like(x)
    for k in range(x.size):
        e = onp.zeros_like(x)
        e.flat[k] = eps
        g.flat[k] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


# ---- the d2l TensorFlow autograd section, as written ---------------------------------------------

def test_d2l_tensorflow_snippet() -> None:
    x = tf.range(4, dtype=tf.float32)
    assert x.dtype == tf.float32
    x = tf.Variable(x)
    with tf.GradientTape() as t:
        y = 2 * tf.tensordot(x, x, axes=1)
    assert y.numpy() == 28.0
    x_grad = t.gradient(y, x)
    assert isinstance(x_grad, tf.Tensor)
    assert values(x_grad == 4 * x).tolist() == [True] * 4
    assert values(x_grad).tolist() == [0.0, 4.0, 8.0, 12.0]

    with tf.GradientTape() as t:
        y = tf.reduce_sum(x)
    assert values(t.gradient(y, x)).tolist() == [1.0] * 4

    with tf.GradientTape() as t:
        y = x * x
    assert values(t.gradient(y, x)).tolist() == [0.0, 2.0, 4.0, 6.0]  # gradient of the sum

    with tf.GradientTape(persistent=True) as t:
        y = x * x
        u = tf.stop_gradient(y)
        z = u * x
    x_grad = t.gradient(z, x)
    assert values(x_grad == u).all()
    assert values(t.gradient(y, x) == 2 * x).all()

    def f(a: Any) -> Any:
        b = a * 2
        while tf.norm(b) < 1000:
            b = b * 2
        if tf.reduce_sum(b) > 0:
            c = b
        else:
            c = 100 * b
        return c

    for sign in (1.0, -1.0):  # both branches of the if
        a = tf.Variable(sign * abs(tf.random.normal(shape=()).numpy()) + sign * 0.1)
        with tf.GradientTape() as t:
            d = f(a)
        d_grad = t.gradient(d, a)
        assert d_grad.shape == ()
        onp.testing.assert_allclose(values(d_grad), values(d / a), rtol=1e-6)


# ---- TensorFlow's tape semantics ----------------------------------------------------------------

def test_non_persistent_tape_answers_once() -> None:
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(x * x)
    assert values(t.gradient(y, x)).tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match=r"A non-persistent GradientTape can only be used to "
                                           r"compute one set of gradients \(or jacobians\)") as e:
        t.gradient(y, x)
    assert "persistent=True" in str(e.value)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.jacobian(y, x)


def test_persistent_tape_answers_many_times() -> None:
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x
        z = y * x
    assert t.gradient(z, x).numpy() == 27.0
    assert t.gradient(z, x).numpy() == 27.0  # the graph was retained
    assert t.gradient(y, x).numpy() == 6.0
    assert values(t.jacobian(y, x)) == 6.0


def test_constants_need_watch() -> None:
    c = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        y = tf.reduce_sum(c * c)
    assert t.gradient(y, c) is None  # a constant is not watched

    with tf.GradientTape() as t:
        t.watch(c)
        y = tf.reduce_sum(c * c)
    assert not c.requires_grad  # a constant again once the block ends
    assert values(t.gradient(y, c)).tolist() == [2.0, 4.0]
    assert not (c * c).requires_grad  # nothing recorded on it outside the tape


def test_watch_with_plain_d2lad_tensors() -> None:
    c = d2lad.tensor(3.0)
    with tape_module.GradientTape() as t:
        t.watch(c)
        y = c ** 3
    assert t.gradient(y, c).item() == 27.0
    assert not c.requires_grad


def test_watch_is_per_tape() -> None:
    c = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            inner.watch(c)
            y = c * c
    assert inner.gradient(y, c).numpy() == 4.0
    assert outer.gradient(y, c) is None  # only the inner tape watched the constant


def test_watch_accessed_variables_false() -> None:
    v, w = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False, persistent=True) as t:
        t.watch(v)
        y = v * w
    assert t.gradient(y, v).numpy() == 5.0
    assert t.gradient(y, w) is None
    assert t.gradient(y, [v, w], unconnected_gradients="zero")[1].numpy() == 0.0


def test_unconnected_and_outside_tape_give_none() -> None:
    x, unused = tf.Variable([1.0, 2.0]), tf.Variable(1.0)
    y_outside = x * x  # TF records nothing outside a tape
    assert not y_outside.requires_grad
    assert y_outside.numpy().tolist() == [1.0, 4.0]  # .numpy() always works
    with tf.GradientTape(persistent=True) as t:
        y = tf.reduce_sum(x * 3.0)
    assert t.gradient(y, unused) is None
    assert t.gradient(y_outside, x) is None


def test_gradient_keeps_the_structure_of_sources() -> None:
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = a * b * c
    grads = t.gradient(y, {"a": a, "rest": [b, (c,)]})
    assert grads["a"].numpy() == 6.0
    assert isinstance(grads["rest"], list) and isinstance(grads["rest"][1], tuple)
    assert grads["rest"][0].numpy() == 3.0 and grads["rest"][1][0].numpy() == 2.0


def test_non_scalar_target_is_summed_and_output_gradients_weigh() -> None:
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as t:
        y = x * x * x
        s = tf.reduce_sum(y)
    assert values(t.gradient(y, x)).tolist() == values(t.gradient(s, x)).tolist() == [3, 12, 27]
    w = tf.constant([1.0, 0.0, 2.0])
    assert values(t.gradient(y, x, output_gradients=w)).tolist() == [3.0, 0.0, 54.0]
    assert values(t.gradient([y, s], x)).tolist() == [6.0, 24.0, 54.0]  # targets add up


def test_stop_gradient() -> None:
    x = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = tf.stop_gradient(x * x) * x + x
    assert t.gradient(y, x).numpy() == 10.0  # 9 + 1: x*x counts as a constant


def test_stop_recording() -> None:
    x = tf.Variable(2.0)
    with tf.GradientTape() as t:
        with t.stop_recording():
            y = x * x
        z = y * x
    assert t.gradient(z, x).numpy() == 4.0


def test_jacobian() -> None:
    x = tf.Variable([1.0, 2.0])
    a = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as t:
        y = tf.tanh(tf.matmul(a, tf.reshape(x, (2, 1))))
    jac = t.jacobian(y, x)
    assert jac.shape == (3, 1, 2)
    inner = values(a) @ values(x)
    expected = (1 - onp.tanh(inner) ** 2)[:, None] * values(a)
    onp.testing.assert_allclose(values(jac)[:, 0, :], expected, rtol=1e-5)


def test_nested_tapes_give_higher_derivatives() -> None:
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    assert dy.numpy() == 12.0
    assert outer.gradient(dy, x).numpy() == 12.0  # 6 x


def test_variables_and_tensors() -> None:
    v = tf.Variable([1.0, 2.0])
    assert v.requires_grad and v.trainable and v.name == "Variable:0"
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    assert v.numpy().tolist() == [3.5, 4.5]
    assert isinstance(v, tf.Variable) and v.is_leaf
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])
    assert not tf.Variable(1.0, trainable=False).requires_grad

    t = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="does not support item assignment"):
        t[0] = 5.0
    before = t
    t += 1  # a new tensor, as in TF
    assert before.numpy().tolist() == [1.0, 2.0] and t.numpy().tolist() == [2.0, 3.0]

    assert tf.constant(1).dtype == tf.int32 and tf.range(3).dtype == tf.int32
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant(onp.ones(2)).dtype == tf.float64  # numpy keeps its dtype
    assert tf.cast(tf.constant([1.5]), tf.float64).dtype == tf.float64
    assert tf.cast(tf.constant([1.5]), tf.int32).numpy().tolist() == [1]
    assert (tf.constant([1, 2]) == tf.constant([1, 3])).numpy().tolist() == [True, False]
    assert tf.ones((2, 3)).shape == (2, 3) and tf.zeros(2).numpy().tolist() == [0.0, 0.0]
    assert tf.random.normal(shape=()).shape == ()


@pytest.mark.parametrize(("b_shape", "axes"), [
    ((4, 5), 1), ((3, 4, 5), 2), ((3, 2), ([0], [1])), ((4, 5, 2), ([2, 0], [0, 2])),
    ((2,), 0), ((5, 4), [[-1], [1]])])
def test_tensordot_matches_numpy(b_shape: tuple[int, ...], axes: Any) -> None:
    rng = onp.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(b_shape)
    out = tf.tensordot(tf.constant(a), tf.constant(b), axes=axes)
    onp.testing.assert_allclose(values(out), onp.tensordot(a, b, axes=axes), rtol=1e-12)


def test_tf_gradients_match_finite_differences() -> None:
    rng = onp.random.default_rng(1)
    a0, w0 = rng.standard_normal((3, 4)), rng.standard_normal(4)

    def loss(a: Any, w: Any) -> Any:
        h = tf.tanh(tf.matmul(a, tf.reshape(w, (4, 1))))
        return (tf.reduce_sum(h * h) + tf.tensordot(tf.exp(tf.sin(w)), w, axes=1)
                + tf.norm(w) * tf.reduce_mean(tf.cos(a)))

    a, w = tf.Variable(a0), tf.Variable(w0)  # float64 from numpy
    with tf.GradientTape() as t:
        y = loss(a, w)
    ga, gw = t.gradient(y, [a, w])
    assert ga.dtype == tf.float64

    def numeric(wrt: str) -> onp.ndarray:
        if wrt == "a":
            return central_differences(lambda v: loss(tf.constant(v), tf.constant(w0)).numpy(),
                                       a0)
        return central_differences(lambda v: loss(tf.constant(a0), tf.constant(v)).numpy(), w0)

    onp.testing.assert_allclose(values(gw), numeric("w"), rtol=1e-6, atol=1e-8)
    onp.testing.assert_allclose(values(ga), numeric("a"), rtol=1e-6, atol=1e-8)


# ---- the d2l MXNet autograd section, as written -------------------------------------------------

def test_d2l_mxnet_snippet() -> None:
    npx.set_np()
    x = np.arange(4.0)
    x.attach_grad()
    assert values(x.grad).tolist() == [0.0] * 4  # zeros at once
    with autograd.record():
        y = 2 * np.dot(x, x)
    y.backward()
    assert values(x.grad == 4 * x).all()

    with autograd.record():
        y = x.sum()
    y.backward()
    assert values(x.grad).tolist() == [1.0] * 4  # overwritten, not accumulated

    with autograd.record():
        y = x * x
    y.backward()  # a non-scalar head: gradient of the sum
    assert values(x.grad).tolist() == [0.0, 2.0, 4.0, 6.0]

    with autograd.record():
        y = x * x
        u = y.detach()
        z = u * x
    z.backward()
    assert values(x.grad == u).all()
    y.backward()
    assert values(x.grad == 2 * x).all()

    def f(a: Any) -> Any:
        b = a * 2
        while np.linalg.norm(b) < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = np.random.normal()
    assert a.shape == ()
    a.attach_grad()
    with autograd.record():
        d = f(a)
    d.backward()
    onp.testing.assert_allclose(values(a.grad), values(d / a), rtol=1e-6)


def test_d2l_mxnet_nd_snippet() -> None:
    x = nd.arange(4).reshape((4, 1))
    assert x.dtype == d2lad.float32
    x.attach_grad()
    with autograd.record():
        y = 2 * nd.dot(x.T, x)
    assert y.shape == (1, 1)
    y.backward()
    assert values(x.grad).tolist() == [[0.0], [4.0], [8.0], [12.0]]
    assert values(x.grad == 4 * x).all()
    with autograd.record():
        y = x.norm()
    y.backward()
    onp.testing.assert_allclose(values(x.grad), values(x) / onp.sqrt(14.0), rtol=1e-6)
    assert nd.random.normal().shape == (1,)


# ---- MXNet's semantics --------------------------------------------------------------------------

def test_backward_overwrites_unlike_pytorch() -> None:
    x = np.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert values(x.grad).tolist() == [2.0, 4.0]  # MXNet: the same, not doubled

    p = d2lad.tensor([1.0, 2.0], requires_grad=True)
    z = (p * p).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert p.grad.tolist() == [4.0, 8.0]  # PyTorch (d2lad): accumulated


def test_grad_req_add_accumulates_and_buffer_is_kept() -> None:
    x = np.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    for _ in range(2):
        with autograd.record():
            y = (x * x).sum()
        y.backward()
    assert values(x.grad).tolist() == [4.0, 8.0]

    w = np.array([3.0])
    w.attach_grad()
    buffer = w.grad
    with autograd.record():
        (w * w).backward()
    assert buffer is w.grad and values(buffer).tolist() == [6.0]


def test_only_reached_variables_are_written() -> None:
    x, other = np.array([1.0]), np.array([5.0])
    x.attach_grad()
    other.attach_grad()
    with autograd.record():
        y = other * 2
    y.backward()
    with autograd.record():
        z = x * 3
    z.backward()
    assert values(other.grad).tolist() == [2.0] and values(x.grad).tolist() == [3.0]


def test_recording_only_inside_record() -> None:
    x = np.array([1.0, 2.0])
    x.attach_grad()
    y = x * x  # outside record(): a constant
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="Cannot differentiate node because it is not in a "
                                           "computational graph"):
        y.backward()
    assert not autograd.is_recording()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording()
            assert not (x * x).requires_grad
        w = x * x
    assert w.requires_grad and not autograd.is_recording()


def test_out_grad_and_in_place_updates() -> None:
    x = np.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = x * x
    y.backward(out_grad=np.array([10.0, 1.0]))
    assert values(x.grad).tolist() == [20.0, 4.0]
    x[:] = x - 0.5 * x.grad  # an SGD step outside record(): allowed, x stays a variable
    x -= 1
    assert values(x).tolist() == [-10.0, -1.0] and x.is_leaf and x.requires_grad


def test_arrays() -> None:
    assert isinstance(np.arange(4), NDArray) and np.arange(4).dtype == d2lad.float32
    assert np.array([1, 2]).dtype == d2lad.float32
    x = np.ones((2, 3))
    assert x.size == 6 and x.asnumpy().shape == (2, 3)
    assert nd.ones((1,)).asscalar() == 1.0
    with pytest.raises(ValueError, match="not a scalar"):
        x.asscalar()
    assert isinstance(x == x, NDArray) and values(x == x).all()
    assert np.ones(2).astype("float64").dtype == d2lad.float64
    onp.testing.assert_allclose(
        values(np.dot(np.ones((2, 3, 4)), np.ones((5, 4, 6)))),
        onp.dot(onp.ones((2, 3, 4)), onp.ones((5, 4, 6))))
    with pytest.raises(TypeError, match="floating point"):
        np.array(onp.arange(3)).attach_grad()


def test_sym_is_d2lad_sym() -> None:
    sym_module = pytest.importorskip("d2lad.sym")
    from d2lad.mx import sym

    assert sym is importlib.import_module("d2lad.sym") is sym_module
    assert hasattr(sym, "var")


def test_mx_gradients_match_finite_differences() -> None:
    rng = onp.random.default_rng(2)
    a0, w0 = rng.standard_normal((3, 4)), rng.standard_normal(4)

    def loss(a: Any, w: Any) -> Any:
        h = np.tanh(np.dot(a, w))
        return (h * h).sum() + np.dot(np.exp(np.sin(w)), w) + np.linalg.norm(w) * np.cos(a).mean()

    a, w = np.array(a0), np.array(w0)  # numpy float64 is kept
    a.attach_grad()
    w.attach_grad()
    with autograd.record():
        y = loss(a, w)
    y.backward()
    assert w.grad.dtype == d2lad.float64
    num_w = central_differences(lambda v: loss(np.array(a0), np.array(v)).item(), w0)
    num_a = central_differences(lambda v: loss(np.array(v), np.array(w0)).item(), a0)
    onp.testing.assert_allclose(values(w.grad), num_w, rtol=1e-6, atol=1e-8)
    onp.testing.assert_allclose(values(a.grad), num_a, rtol=1e-6, atol=1e-8)
