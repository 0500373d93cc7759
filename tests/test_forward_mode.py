"""Forward accumulation on every operation: jvp against finite differences along the tangent,
against reverse mode (<u, J v> = <Jᵀ u, v>), and batched tangents against single ones.

The operations and their input strategies are shared with the gradient tests (``op_cases.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_cases import CASES, Case, parametrized, uniform

import d2lad
from d2lad import func


def tensors(arrays: Any) -> list[d2lad.Tensor]:
    return [d2lad.tensor(a, dtype=d2lad.float64) for a in arrays]


def run_jvp(case: Case, arrays: Any, params: dict, tangents: Any) -> tuple[Any, Any]:
    def f(*xs: Any) -> Any:
        return case.fn(d2lad, *xs, **params)

    return func.jvp(f, tensors(arrays), tensors(tangents))


def evaluate(case: Case, arrays: Any, params: dict) -> np.ndarray:
    return np.asarray(case.fn(d2lad, *tensors(arrays), **params).numpy(), dtype=np.float64)


@pytest.mark.parametrize("case", parametrized(CASES))
@settings(max_examples=15)
@given(data=st.data())
def test_jvp_matches_finite_differences_and_reverse_mode(case: Case, data: Any) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    tangents = [data.draw(uniform(-1.0, 1.0)(a.shape), label=f"tangent {i}")
                for i, a in enumerate(arrays)]
    out, jv = run_jvp(case, arrays, params, tangents)
    np.testing.assert_allclose(out.numpy(), evaluate(case, arrays, params), rtol=1e-12)
    assert tuple(jv.shape) == tuple(out.shape)

    eps = case.eps
    plus = evaluate(case, [a + eps * t for a, t in zip(arrays, tangents)], params)
    minus = evaluate(case, [a - eps * t for a, t in zip(arrays, tangents)], params)
    numeric = (plus - minus) / (2 * eps)
    scale = max(1.0, float(np.abs(numeric).max(initial=0.0)))
    np.testing.assert_allclose(jv.numpy(), numeric, rtol=max(1e-5, case.atol),
                               atol=case.atol * scale)

    u = data.draw(uniform(-1.0, 1.0)(tuple(out.shape)), label="cotangent")
    _, vjp_fn = func.vjp(lambda *xs: case.fn(d2lad, *xs, **params), *tensors(arrays))
    pulled = vjp_fn(d2lad.tensor(u, dtype=d2lad.float64))
    left = float(np.sum(u * jv.numpy()))
    right = sum(float(np.sum(p.numpy() * t)) for p, t in zip(pulled, tangents))
    tol = max(1e-9, case.atol)  # float32 cases have a wider tolerance
    assert left == pytest.approx(right, rel=tol, abs=tol)


@pytest.mark.parametrize("case", parametrized(CASES))
@settings(max_examples=8)
@given(data=st.data())
def test_a_batch_of_tangents_gives_each_jvp(case: Case, data: Any) -> None:
    arrays, params = data.draw(case.inputs, label="inputs, params")
    first = [data.draw(uniform(-1.0, 1.0)(a.shape)) for a in arrays]
    second = [data.draw(uniform(-1.0, 1.0)(a.shape)) for a in arrays]
    _, batched = run_jvp(case, arrays, params, [np.stack([a, b]) for a, b in zip(first, second)])
    _, one = run_jvp(case, arrays, params, first)
    _, two = run_jvp(case, arrays, params, second)
    np.testing.assert_allclose(batched.numpy(), np.stack([one.numpy(), two.numpy()]),
                               rtol=1e-10, atol=1e-12)


def test_forward_mode_records_no_graph():
    x = d2lad.tensor([0.5, 1.5])
    out, tangent = func.jvp(lambda x: d2lad.sin(x).exp().sum(), (x,), (d2lad.ones(2),))
    assert out.grad_fn is None and tangent.grad_fn is None
    assert not out.requires_grad and not tangent.requires_grad


def test_jvp_checks_tangent_shapes():
    with pytest.raises(ValueError, match="tangent must have its primal's shape"):
        func.jvp(d2lad.sin, (d2lad.ones(3),), (d2lad.ones(2),))
