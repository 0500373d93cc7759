"""Every differentiable operation's gradient against float64 central finite differences.

The numeric side is computed here, independently of ``d2lad.gradcheck``: for L = sum(f(x) * w)
with a random cotangent w, dL/dx_k ~ (L(x + eps e_k) - L(x - eps e_k)) / (2 eps). The operations
and their input strategies are in ``op_cases.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from op_cases import (
    BY_ID,
    CASES,
    FIXED_PAIRS,
    GENERAL,
    NONZERO,
    POSITIVE,
    Case,
    on_grid,
    parametrized,
    two,
    uniform,
)

import d2lad
from d2lad.engine.node import Node
from d2lad.engine.primitives import TABLE

# ---- helpers ------------------------------------------------------------------------------------


def leaves(arrays: tuple[np.ndarray, ...]) -> list[d2lad.Tensor]:
    return [d2lad.tensor(a, dtype=d2lad.float64, requires_grad=True) for a in arrays]


def evaluate(case: Case, arrays: tuple[np.ndarray, ...], params: dict) -> np.ndarray:
    """f's value (float64) on plain tensors: nothing recorded."""
    out = case.fn(d2lad, *[d2lad.tensor(a, dtype=d2lad.float64) for a in arrays], **params)
    return np.asarray(out.numpy(), dtype=np.float64)


def numeric_gradient(scalar: Any, arrays: tuple[np.ndarray, ...], eps: float) -> list[np.ndarray]:
    """Central differences of ``scalar(arrays)`` with respect to every element of every array."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros(a.shape)
        for k in np.ndindex(a.shape):
            shifted = [b.copy() for b in arrays]
            shifted[i][k] = a[k] + eps
            plus = scalar(shifted)
            shifted[i][k] = a[k] - eps
            g[k] = (plus - scalar(shifted)) / (2 * eps)
        grads.append(g)
    return grads


def assert_close(actual: np.ndarray, expected: np.ndarray, atol: float, rtol: float = 1e-5,
                 what: str = "") -> None:
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale, err_msg=what)


def check_gradient(case: Case, arrays: tuple[np.ndarray, ...], params: dict,
                   w: np.ndarray) -> None:
    xs = leaves(arrays)
    out = case.fn(d2lad, *xs, **params)
    out.backward(gradient=d2lad.tensor(w, dtype=out.dtype))
    numeric = numeric_gradient(lambda a: float(np.sum(evaluate(case, a, params) * w)), arrays,
                               case.eps)
    for i, (x, n) in enumerate(zip(xs, numeric)):
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.dtype == d2lad.float64
        assert_close(x.grad.numpy(), n, case.atol, what=f"gradient of input {i}")


def recorded_primitives(out: d2lad.Tensor) -> set[str]:
    """Names of the primitives in the graph that produced ``out``."""
    seen: set[str] = set()
    stack = [out.grad_fn] if out.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node.prim.name not in seen:
            seen.add(node.prim.name)
            stack.extend(p for p in node.parents if isinstance(p, Node))
    return seen


# ---- first derivatives ------------------------------------------------------------------------


@pytest.mark.parametrize("case", parametrized(CASES))
@given(data=st.data())
def test_gradient_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    out_shape = evaluate(case, arrays, params).shape
    w = data.draw(uniform(-1.0, 1.0)(out_shape), label="cotangent")
    check_gradient(case, arrays, params, w)


# The fixed broadcasting pairs, both ways round, for every binary operation (always, not only
# when hypothesis happens to draw them).
BINARY = {"add": (GENERAL, GENERAL), "sub": (GENERAL, GENERAL), "mul": (GENERAL, GENERAL),
          "div": (GENERAL, NONZERO), "pow-tensor": (POSITIVE, GENERAL),
          "maximum": (on_grid(0.0), on_grid(0.1)), "minimum": (on_grid(0.1), on_grid(0.0))}


@pytest.mark.parametrize("pair", FIXED_PAIRS + [p[::-1] for p in FIXED_PAIRS], ids=str)
@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=3)
@given(data=st.data())
def test_binary_gradient_on_broadcasting_pair(name: str, pair: tuple, data: st.DataObject) -> None:
    x, y = BINARY[name]
    arrays, params = data.draw(two(x, y, pairs=st.just(pair)))
    case = BY_ID[name]
    w = data.draw(uniform(-1.0, 1.0)(np.broadcast_shapes(*pair)))
    check_gradient(case, arrays, params, w)


# ---- every primitive is covered ----------------------------------------------------------------

# primitive -> the case that exercises it. A new primitive needs an entry (and a case) here.
COVERAGE = {
    "add": "add", "sub": "sub", "rsub": "rsub-number", "mul": "mul", "div": "div",
    "rdiv": "two-over", "neg": "neg", "pow": "pow-number", "pow_tensor": "pow-tensor",
    "rpow": "two-pow", "exp": "exp", "log": "log", "log1p": "log1p", "sqrt": "sqrt",
    "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "sigmoid": "sigmoid",
    "relu": "relu", "abs": "abs", "maximum": "maximum", "minimum": "minimum", "clamp": "clamp",
    "where": "where", "sum": "sum", "sum_dim": "sum-dim", "mean": "mean", "mean_dim": "mean-dim",
    "prod": "prod", "prod_dim": "prod-dim", "amax": "amax", "amin": "amin", "max_all": "max",
    "min_all": "min", "max_dim": "max-dim-values", "min_dim": "min-dim-values", "norm": "norm",
    "dot": "dot", "mm": "mm", "mv": "mv", "matmul": "matmul-bmn,np", "reshape": "reshape",
    "unsqueeze": "unsqueeze", "squeeze": "squeeze", "squeeze_dim": "squeeze-dim",
    "flatten": "flatten", "transpose": "permute", "t": "t", "transpose2": "transpose",
    "broadcast_to": "expand", "sum_to": "sum_to", "getitem": "index-int-array",
    "select": "index-int", "slice": "index-slice", "scatter": "scatter",
    "index_put": "setitem-int", "cat": "cat", "stack": "stack", "clone": "clone",
    "cast": "float32", "softmax": "softmax", "log_softmax": "log_softmax",
}


def test_every_primitive_has_a_gradient_case() -> None:
    assert set(TABLE) - set(COVERAGE) == set(), "primitives without a gradient test case"
    assert set(COVERAGE) - set(TABLE) == set(), "COVERAGE names primitives that do not exist"
    assert set(COVERAGE.values()) <= set(BY_ID)


@pytest.mark.parametrize("prim", sorted(COVERAGE))
def test_coverage_case_records_its_primitive(prim: str) -> None:
    case = BY_ID[COVERAGE[prim]]

    def records(example: tuple) -> bool:
        arrays, params = example
        return prim in recorded_primitives(case.fn(d2lad, *leaves(arrays), **params))

    find(case.inputs, records, settings=settings(max_examples=50, phases=[Phase.generate]))


# ---- second derivatives ------------------------------------------------------------------------

SECOND_ORDER = ["mul", "div", "two-over", "pow-number", "pow-tensor", "two-pow", "exp", "log",
                "log1p", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "prod", "prod-dim",
                "norm", "norm-dim", "dot", "mm", "mv", "matmul-bmn,np", "matmul-n,bnp",
                "softmax", "log_softmax", "cross_entropy", "mse_loss", "var", "std",
                "setitem-int", "index-int-array", "maximum", "where"]


def first_gradients(case: Case, arrays: tuple[np.ndarray, ...], params: dict,
                    w: np.ndarray, create_graph: bool) -> tuple[list[d2lad.Tensor], tuple]:
    xs = leaves(arrays)
    out = case.fn(d2lad, *xs, **params)
    grads = d2lad.autograd.grad(out, xs, grad_outputs=d2lad.tensor(w), create_graph=create_graph,
                                allow_unused=True)
    return xs, grads


@pytest.mark.parametrize("case", [BY_ID[i] for i in SECOND_ORDER], ids=repr)
@settings(max_examples=15)
@given(data=st.data())
def test_second_derivative_matches_finite_differences_of_gradient(
        case: Case, data: st.DataObject) -> None:
    """d/dx <grad L(x), v> by double backward equals central differences of grad L."""
    arrays, params = data.draw(case.inputs, label="inputs, params")
    w = data.draw(uniform(-1.0, 1.0)(evaluate(case, arrays, params).shape), label="cotangent")
    vs = [data.draw(uniform(-1.0, 1.0)(a.shape), label="direction") for a in arrays]

    def directional(arrs: list[np.ndarray]) -> float:
        _, grads = first_gradients(case, tuple(arrs), params, w, create_graph=False)
        return sum(float(np.sum(g.numpy() * v)) for g, v in zip(grads, vs) if g is not None)

    xs, grads = first_gradients(case, arrays, params, w, create_graph=True)
    s = sum(((g * d2lad.tensor(v)).sum() for g, v in zip(grads, vs)
             if g is not None and g.requires_grad), start=d2lad.zeros((), dtype=d2lad.float64))
    numeric = numeric_gradient(directional, arrays, eps=1e-5)
    if not s.requires_grad:  # grad L does not depend on x: the numeric side must be zero too
        for n in numeric:
            assert_close(np.zeros_like(n), n, 1e-5)
        return
    second = d2lad.autograd.grad(s, xs, allow_unused=True)
    for i, (h, n) in enumerate(zip(second, numeric)):
        h = np.zeros_like(n) if h is None else h.numpy()
        assert_close(h, n, 1e-5, rtol=1e-4, what=f"second derivative, input {i}")
