"""How d2lad's autograd behaves beyond single derivatives: PyTorch's rules for accumulation,
freed graphs, in-place changes, detaching, grad modes, the functional API, dtypes, and very
deep graphs."""

from __future__ import annotations

import gc
import math
import re
import weakref
from typing import Any

import numpy as np
import pytest

import d2lad


def raises(message: str) -> Any:
    """pytest.raises(RuntimeError) whose message contains ``message`` verbatim."""
    return pytest.raises(RuntimeError, match=re.escape(message))


def leaf(values: Any, dtype: Any = d2lad.float32) -> d2lad.Tensor:
    return d2lad.tensor(values, dtype=dtype, requires_grad=True)


# ---- accumulation and graph sharing -------------------------------------------------------------


def test_gradients_accumulate_over_two_backward_calls() -> None:
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (3 * x).sum().backward()
    assert x.grad.tolist() == [2 + 3, 4 + 3]


def test_zero_clears_the_accumulated_gradient() -> None:
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    x.grad.zero_()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_gradients_add_where_a_node_feeds_two_others() -> None:
    x = leaf(0.5, d2lad.float64)
    y = x * 3  # feeds both branches
    (y.sin() + y * y).backward()
    assert math.isclose(x.grad.item(), 3 * math.cos(1.5) + 2 * 1.5 * 3, rel_tol=1e-12)


def test_tensor_used_twice_in_one_operation_gets_both_contributions() -> None:
    x = leaf(3.0)
    (x * x).backward()
    assert x.grad.item() == 6.0


# ---- freed graphs and retain_graph --------------------------------------------------------------


def test_second_backward_through_add_works_and_accumulates() -> None:
    """``x + x`` saves nothing, so a second backward is allowed (PyTorch's lazy rule)."""
    x = leaf(1.0)
    y = x + x
    y.backward()
    y.backward()
    assert x.grad.item() == 4.0


def test_second_backward_through_saved_values_raises() -> None:
    x = leaf(1.0)
    y = x * x
    y.backward()
    with raises("retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = leaf(2.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0


# ---- errors PyTorch raises too ------------------------------------------------------------------


def test_non_scalar_backward_needs_a_gradient() -> None:
    y = leaf([1.0, 2.0]) * 2
    with raises("grad can be implicitly created only for scalar outputs"):
        y.backward()


def test_gradient_of_the_wrong_shape_is_refused() -> None:
    y = leaf([1.0, 2.0]) * 2
    with raises("Mismatch in shape"):
        y.backward(d2lad.ones(3))


def test_integer_tensor_cannot_be_created_requiring_grad() -> None:
    with raises("Only Tensors of floating point and complex dtype can require gradients"):
        d2lad.tensor([1, 2], requires_grad=True)


def test_integer_tensor_cannot_start_requiring_grad() -> None:
    with raises("only Tensors of floating point dtype can require gradients"):
        d2lad.arange(4).requires_grad_()


@pytest.mark.parametrize("update", [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.zero_(), lambda x: x.__iadd__(1),
    lambda x: x.__setitem__(0, 5.0)], ids=["add_", "mul_", "zero_", "+=", "setitem"])
def test_in_place_change_of_a_leaf_requiring_grad_is_refused(update: Any) -> None:
    x = leaf([1.0, 2.0])
    with raises("a leaf Variable that requires grad is being used in an in-place operation."):
        update(x)


def test_sgd_step_under_no_grad_changes_the_leaf_and_its_version() -> None:
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    before = x._version
    with d2lad.no_grad():
        x -= 0.1 * x.grad
    assert x._version == before + 1
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    np.testing.assert_allclose(x.detach().numpy(), [0.8, 1.6], rtol=1e-6)


def test_changing_a_saved_input_in_place_breaks_backward() -> None:
    a = leaf([1.0, 2.0])
    b = a * 2
    c = b.sin()  # saves b
    b += 1
    with raises("one of the variables needed for gradient computation has been modified by an "
                "inplace operation"):
        c.sum().backward()


def test_changing_a_saved_output_in_place_breaks_backward() -> None:
    x = leaf([1.0, 2.0])
    y = x.exp()  # its rule reads the output
    y += 1
    with raises("one of the variables needed for gradient computation has been modified by an "
                "inplace operation"):
        y.sum().backward()


def test_in_place_change_of_an_unsaved_value_is_fine() -> None:
    x = leaf([1.0, 2.0])
    y = x + 1  # add saves nothing
    y *= 3
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_broadcasting_mismatch_names_both_sizes() -> None:
    with raises("The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                "dimension 0"):
        d2lad.ones(3) + d2lad.ones(4)


# ---- .data, detach, retain_grad -----------------------------------------------------------------


def data_bypass(T: Any) -> list[float]:
    """``x.data *= 100`` after recording: backward reads the new values, unnoticed."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data *= 100
    y.backward()
    return x.grad.tolist()


def test_data_changes_values_without_autograd_noticing() -> None:
    assert data_bypass(d2lad) == [2 * 100.0, 2 * 200.0]


def test_data_bypass_matches_torch(torch: Any) -> None:
    assert data_bypass(d2lad) == data_bypass(torch)


def test_data_does_not_require_grad_and_shares_memory() -> None:
    x = leaf([1.0, 2.0])
    d = x.data
    assert not d.requires_grad
    d[0] = 7.0
    assert x.tolist() == [7.0, 2.0]


def test_detach_stops_the_gradient() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    assert x.grad.tolist() == u.tolist()


def test_detach_shares_memory_and_version_counter() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    u = y.detach()
    assert not u.requires_grad and u.grad_fn is None
    u[0] = 10.0
    assert y.tolist() == [10.0, 4.0]
    assert y._version == u._version == 1


def test_in_place_change_through_detach_is_caught_by_backward() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y  # saves y
    y.detach().zero_()
    with raises("modified by an inplace operation"):
        z.sum().backward()


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad
    assert y.grad.tolist() == [6.0, 12.0]


def test_reading_grad_of_a_non_leaf_warns_and_gives_none() -> None:
    y = leaf([1.0, 2.0]) * 3
    y.sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None


def test_leaf_gradient_reads_without_warning(recwarn: pytest.WarningsRecorder) -> None:
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert len(recwarn) == 0


# ---- grad modes ---------------------------------------------------------------------------------


def records(x: d2lad.Tensor) -> bool:
    return (x * 2).requires_grad


def test_no_grad_context_manager() -> None:
    x = leaf(1.0)
    with d2lad.no_grad():
        assert not records(x)
        assert not d2lad.is_grad_enabled()
    assert records(x)


def test_enable_grad_inside_no_grad() -> None:
    x = leaf(1.0)
    with d2lad.no_grad():
        with d2lad.enable_grad():
            assert records(x)
        assert not records(x)


@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_context_manager(mode: bool) -> None:
    x = leaf(1.0)
    with d2lad.set_grad_enabled(mode):
        assert records(x) is mode
    assert records(x)


@pytest.mark.parametrize("decorator, recorded", [
    (d2lad.no_grad, False), (lambda: d2lad.set_grad_enabled(False), False),
    (lambda: d2lad.set_grad_enabled(True), True)], ids=["no_grad", "set_grad_enabled-False",
                                                         "set_grad_enabled-True"])
def test_grad_mode_decorators(decorator: Any, recorded: bool) -> None:
    x = leaf(1.0)
    decorated = decorator()(records)
    assert records(x)
    assert decorated(x) is recorded
    assert records(x)


def test_enable_grad_decorator_inside_no_grad() -> None:
    x = leaf(1.0)
    with d2lad.no_grad():
        assert d2lad.enable_grad()(records)(x)
        assert not records(x)


def test_grad_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(ValueError), d2lad.no_grad():
        raise ValueError
    assert d2lad.is_grad_enabled()


# ---- the functional API -------------------------------------------------------------------------


def test_grad_with_create_graph_gives_higher_derivatives() -> None:
    x = leaf(2.0, d2lad.float64)
    (g,) = d2lad.autograd.grad(x ** 3, x, create_graph=True)  # 3 x^2
    (h,) = d2lad.autograd.grad(g, x, create_graph=True)  # 6 x
    (k,) = d2lad.autograd.grad(h, x)  # 6
    assert (g.item(), h.item(), k.item()) == (12.0, 12.0, 6.0)


def test_grad_does_not_touch_dot_grad() -> None:
    x = leaf(2.0)
    d2lad.autograd.grad(x * x, x)
    assert x.grad is None


def test_grad_of_an_unused_input_needs_allow_unused() -> None:
    x, unused = leaf(2.0), leaf(1.0)
    with raises("appears to not have been used in the graph"):
        d2lad.autograd.grad(x * x, [x, unused])
    g, none = d2lad.autograd.grad(x * x, [x, unused], allow_unused=True)
    assert g.item() == 4.0 and none is None


def test_grad_with_respect_to_a_non_leaf() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3
    (g,) = d2lad.autograd.grad((y * y).sum(), y)
    assert g.tolist() == [6.0, 12.0]


def test_backward_inputs_limits_which_leaves_accumulate() -> None:
    x, y = leaf(2.0), leaf(3.0)
    (x * y).backward(inputs=[x])
    assert x.grad.item() == 3.0
    assert y.grad is None


def test_autograd_backward_with_several_outputs() -> None:
    x = leaf([1.0, 2.0])
    d2lad.autograd.backward([x * x, (3 * x).sum()], [d2lad.tensor([1.0, 10.0]), None])
    assert x.grad.tolist() == [2 * 1 + 3, 2 * 2 * 10 + 3]


# ---- gradcheck ----------------------------------------------------------------------------------


def test_gradcheck_passes_on_correct_gradients() -> None:
    x = d2lad.tensor([0.5, -1.0, 2.0], dtype=d2lad.float64, requires_grad=True)
    w = d2lad.tensor([[1.0, 2.0], [0.5, -1.0], [3.0, 0.1]], dtype=d2lad.float64,
                     requires_grad=True)
    assert d2lad.gradcheck(lambda x, w: (x.sin() @ w).tanh(), (x, w))
    assert d2lad.gradcheck(lambda x: (x * x.exp()).sum(), x)


def test_gradcheck_catches_a_gradient_broken_by_detach() -> None:
    x = d2lad.tensor([0.5, -1.0, 2.0], dtype=d2lad.float64, requires_grad=True)
    with pytest.raises(d2lad.GradcheckError):
        d2lad.gradcheck(lambda x: x.detach() * x, x)  # autodiff sees x, the truth is 2x
    assert not d2lad.gradcheck(lambda x: x.detach() * x, x, raise_exception=False)


# ---- dtypes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: d2lad.tensor([1.0, 2.0]), lambda: d2lad.arange(4.0), lambda: d2lad.ones(2),
    lambda: d2lad.randn(2), lambda: d2lad.tensor(1.5), lambda: d2lad.Tensor([1, 2])],
    ids=["tensor", "arange", "ones", "randn", "tensor-0d", "Tensor"])
def test_floats_default_to_float32(make: Any) -> None:
    assert make().dtype == d2lad.float32


@pytest.mark.parametrize("op", [
    lambda x: x * 2.5, lambda x: 1 - x, lambda x: x / 3, lambda x: x ** 2, lambda x: 2 ** x,
    lambda x: x.sin().exp(), lambda x: x.sum(), lambda x: x.mean(dim=0),
    lambda x: x @ x.t(), lambda x: x * d2lad.ones(3), lambda x: d2lad.nn.functional.softmax(x, 1),
    lambda x: x.norm(), lambda x: x[0], lambda x: d2lad.cat([x, x]), lambda x: x.std()],
    ids=["mul-number", "rsub", "div-number", "pow", "rpow", "sin-exp", "sum", "mean-dim",
         "matmul", "mul-float32-1d", "softmax", "norm", "index", "cat", "std"])
def test_float64_stays_float64_in_values_and_gradients(op: Any) -> None:
    x = leaf([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]], d2lad.float64)
    y = op(x)
    assert y.dtype == d2lad.float64
    y.sum().backward()
    assert x.grad.dtype == d2lad.float64


def test_float32_gradient_is_float32() -> None:
    x = leaf([1.0, 2.0])
    (x * 2.5).sum().backward()
    assert x.grad.dtype == d2lad.float32


def test_integer_tensor_times_float_number_is_float32() -> None:
    assert (d2lad.tensor([1, 2]) * 2.5).dtype == d2lad.float32


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: b + a, lambda a, b: b * a,
                                lambda a, b: d2lad.maximum(b, a)],
                         ids=["0d+1d", "1d+0d", "1d*0d", "maximum"])
def test_float64_0d_tensor_does_not_promote_a_float32_tensor(op: Any) -> None:
    """As in PyTorch: a 0-d tensor does not decide the dtype against a tensor with dims."""
    assert op(d2lad.tensor(1.0, dtype=d2lad.float64), d2lad.ones(3)).dtype == d2lad.float32


def test_where_condition_does_not_decide_the_dtype() -> None:
    x = d2lad.tensor(1.0, dtype=d2lad.float64)
    assert d2lad.where(d2lad.tensor([True, False]), x, 0.5).dtype == d2lad.float64


# ---- deep graphs --------------------------------------------------------------------------------


def chain(x: Any, n: int) -> Any:
    """n scalar operations: * 1.0001, + 0.001, sin, * -1 in turn (works on tensors and floats)."""
    for i in range(n):
        step = i % 4
        if step == 0:
            x = x * 1.0001
        elif step == 1:
            x = x + 0.001
        elif step == 2:
            x = x.sin() if isinstance(x, d2lad.Tensor) else math.sin(x)
        else:
            x = x * -1.0
    return x


def chain_derivative(x: float, n: int) -> float:
    """d chain(x, n) / dx by hand, in Python floats."""
    d = 1.0
    for i in range(n):
        step = i % 4
        if step == 0:
            x, d = x * 1.0001, d * 1.0001
        elif step == 1:
            x = x + 0.001
        elif step == 2:
            x, d = math.sin(x), d * math.cos(x)
        else:
            x, d = -x, -d
    return d


def check_deep_chain(n: int) -> None:
    x = leaf(0.3, d2lad.float64)
    y = chain(x, n)
    assert math.isclose(y.item(), chain(0.3, n), rel_tol=1e-12)
    y.backward()
    assert math.isclose(x.grad.item(), chain_derivative(0.3, n), rel_tol=1e-9)


def test_deep_chain_backpropagates_without_recursion() -> None:
    check_deep_chain(200_000)


@pytest.mark.slow
def test_very_deep_chain_backpropagates_without_recursion() -> None:
    check_deep_chain(1_000_000)


def test_deep_graph_is_freed_by_reference_counting() -> None:
    x = leaf(0.3, d2lad.float64)
    y = chain(x, 100_000)
    middle = chain(y, 1)  # y * 1.0001, then 100_000 more operations
    probe = weakref.ref(middle)  # held only by the node of the next operation
    z = chain(middle, 100_000)
    del y, middle
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert probe() is not None
        del z
        assert probe() is None
    finally:
        if enabled:
            gc.enable()
