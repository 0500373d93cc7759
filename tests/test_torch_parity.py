"""d2lad against PyTorch: the same operations on the same float64 inputs give the same values,
dtypes, gradients (backward with a random ``gradient``), grad_fn names and second derivatives.
The operations and their input strategies are in ``op_cases.py``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from op_cases import BY_ID, CASES, Case, parametrized, uniform

import d2lad

torch = pytest.importorskip("torch")

TORCH_CASES = [c for c in CASES if c.in_torch]

# Where d2lad's grad_fn deliberately differs from PyTorch's: operations PyTorch implements as one
# fused kernel that d2lad composes from its primitives, or records under another view operation.
NAME_DIFFERS = {
    "reciprocal": "d2lad computes 1 / x (MulBackward0); PyTorch has ReciprocalBackward0",
    "var": "composed (DivBackward0); PyTorch has VarBackward0",
    "var-default": "composed (DivBackward0); PyTorch has VarBackward0",
    "std": "composed (PowBackward0); PyTorch has StdBackward0",
    "std-default": "composed (PowBackward0); PyTorch has StdBackward0",
    "mse_loss": "composed (MeanBackward0/SumBackward0/MulBackward0); PyTorch has MseLossBackward0",
    "cross_entropy": "composed from log_softmax and indexing; PyTorch has NllLossBackward0",
    "matmul-n,np": "vector @ matrix is one matmul (UnsafeViewBackward0); PyTorch: SqueezeBackward4",
    "copy_": "d2lad records copy_ as where (WhereBackward0); PyTorch: CopyBackwards",
    "matmul-mn,bnp": "d2lad: UnsafeViewBackward0; PyTorch: TransposeBackward0 or CloneBackward0, "
                     "depending on the sizes",
    "matmul-1mn,bnp": "as matmul-mn,bnp",
    "setitem-int": "CopySlices; PyTorch's name() is torch::autograd::CopySlices (its repr shows "
                   "<CopySlices>)",
    "setitem-slice": "as setitem-int",
    "setitem-number": "as setitem-int",
    "setitem-mask": "CopySlices; PyTorch records a masked assignment as IndexPutBackward0",
}


def run(T: Any, case: Case, arrays: tuple[np.ndarray, ...], params: dict) -> tuple[Any, list]:
    xs = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in arrays]
    return case.fn(T, *xs, **params), xs


def name(t: Any) -> str | None:
    """The grad_fn's name (None for a tensor returned as is, like a 1-d ``flatten()``)."""
    return None if t.grad_fn is None else t.grad_fn.name()


def values(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def assert_same_tensor(ours: Any, theirs: Any, what: str, rtol: float = 1e-10) -> None:
    assert str(ours.dtype) == str(theirs.dtype), what
    assert tuple(ours.shape) == tuple(theirs.shape), what
    np.testing.assert_allclose(values(ours), values(theirs), rtol=rtol, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("case", parametrized(TORCH_CASES))
@settings(max_examples=10)
@given(data=st.data())
def test_value_and_gradient_match_torch(case: Case, data: st.DataObject) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    ours, our_xs = run(d2lad, case, arrays, params)
    theirs, their_xs = run(torch, case, arrays, params)
    assert_same_tensor(ours, theirs, "value", case.rtol)
    w = data.draw(uniform(-1.0, 1.0)(tuple(theirs.shape)), label="gradient")
    ours.backward(gradient=d2lad.tensor(w, dtype=ours.dtype))
    theirs.backward(gradient=torch.tensor(w, dtype=theirs.dtype))
    for i, (x, y) in enumerate(zip(our_xs, their_xs)):
        assert_same_tensor(x.grad, y.grad, f"gradient of input {i}", case.rtol)


@pytest.mark.parametrize("case", [c for c in TORCH_CASES if c.id not in NAME_DIFFERS], ids=repr)
@settings(max_examples=5)
@given(data=st.data())
def test_grad_fn_name_matches_torch(case: Case, data: st.DataObject) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    ours, _ = run(d2lad, case, arrays, params)
    theirs, _ = run(torch, case, arrays, params)
    assert name(ours) == name(theirs)


def test_name_differences_name_existing_cases() -> None:
    """NAME_DIFFERS only lists cases that exist (and that PyTorch has)."""
    assert set(NAME_DIFFERS) <= {c.id for c in TORCH_CASES}


SECOND_ORDER = ["mul", "div", "pow-number", "pow-tensor", "two-pow", "exp", "log", "sqrt", "sin",
                "tan", "tanh", "sigmoid", "prod", "prod-dim", "norm-dim", "matmul-bmn,np",
                "softmax", "log_softmax", "cross_entropy", "var", "std", "setitem-int"]


def second_derivatives(T: Any, case: Case, arrays: tuple[np.ndarray, ...], params: dict,
                       w: np.ndarray, vs: list[np.ndarray]) -> list[Any]:
    """d/dx <grad L(x), v> by double backward, L = sum(f(x) * w)."""
    out, xs = run(T, case, arrays, params)
    grads = T.autograd.grad(out, xs, grad_outputs=T.tensor(w), create_graph=True,
                            allow_unused=True)
    terms = [(g * T.tensor(v)).sum() for g, v in zip(grads, vs) if g is not None and
             g.requires_grad]
    if not terms:
        return [None] * len(xs)
    return list(T.autograd.grad(sum(terms), xs, allow_unused=True))


@pytest.mark.parametrize("case", [BY_ID[i] for i in SECOND_ORDER], ids=repr)
@settings(max_examples=10)
@given(data=st.data())
def test_second_derivative_matches_torch(case: Case, data: st.DataObject) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    # PyTorch zeroes x ** y's gradient with respect to x wherever y == 0 (a where-mask), so
    # its mixed second derivative there is 0, not x^(y-1) (1 at x = 1): ours follows the maths,
    # and test_gradients checks it against finite differences.
    assume(case.id != "pow-tensor" or not np.any(arrays[1] == 0))
    out, _ = run(torch, case, arrays, params)
    w = data.draw(uniform(-1.0, 1.0)(tuple(out.shape)), label="cotangent")
    vs = [data.draw(uniform(-1.0, 1.0)(a.shape), label="direction") for a in arrays]
    ours = second_derivatives(d2lad, case, arrays, params, w, vs)
    theirs = second_derivatives(torch, case, arrays, params, w, vs)
    for i, (h, k) in enumerate(zip(ours, theirs)):
        h = np.zeros(arrays[i].shape) if h is None else values(h)
        k = np.zeros(arrays[i].shape) if k is None else values(k)
        np.testing.assert_allclose(h, k, rtol=1e-9, atol=1e-12, err_msg=f"input {i}")
