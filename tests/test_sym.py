"""Symbolic graphs (``d2lad.sym``): building computes nothing, evaluation matches eager mode,
and gradients built ahead of time match eager autograd and finite differences."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import d2lad
from d2lad import sym
from d2lad.engine import primitives as P
from d2lad.engine.primitives import TABLE
from d2lad.nn import functional as Fn
from d2lad.sym import expr as sym_expr
from d2lad.viz import VGraph, draw

# ---- a table of differentiable cases ------------------------------------------------------------


def general(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-2.0, 2.0, shape)


def positive(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values at least 0.1 apart, so max/min never tie within finite-difference reach."""
    n = int(np.prod(shape, dtype=np.int64))
    return (rng.permutation(40)[:n] * 0.1 - 2.0).reshape(shape)


@dataclass
class Case:
    """``fn(*inputs)`` written once with d2lad functions: it runs on expressions and tensors."""

    id: str
    fn: Callable[..., Any]
    shapes: list[tuple[int, ...]]
    prims: list[str]  # the primitives this case exercises
    values: Callable[..., np.ndarray] = general


CASES = [
    Case("add_broadcast", lambda x, y: x + y, [(3, 2), (2,)], ["add"]),
    Case("sub_broadcast", lambda x, y: x - y, [(2, 1), (3,)], ["sub"]),
    Case("rsub", lambda x: 1 - x, [(3,)], ["rsub"]),
    Case("mul_broadcast", lambda x, y: x * y, [(3, 1), (1, 4)], ["mul"]),
    Case("div_broadcast", lambda x, y: x / y, [(2, 3), (3,)], ["div"], away_from_zero),
    Case("rdiv", lambda x: 2 / x, [(4,)], ["rdiv"], away_from_zero),
    Case("neg", lambda x: -x, [(2, 2)], ["neg"]),
    Case("pow_3", lambda x: x ** 3, [(3,)], ["pow"]),
    Case("pow_half", lambda x: x ** 0.5, [(3,)], ["pow"], positive),
    Case("pow_tensor", lambda x, y: x ** y, [(2, 3), (3,)], ["pow_tensor"], positive),
    Case("rpow", lambda x: 2 ** x, [(3,)], ["rpow"]),
    Case("exp", d2lad.exp, [(2, 3)], ["exp"]),
    Case("log", d2lad.log, [(3,)], ["log"], positive),
    Case("log1p", d2lad.log1p, [(3,)], ["log1p"], positive),
    Case("sqrt", d2lad.sqrt, [(3,)], ["sqrt"], positive),
    Case("sin", d2lad.sin, [(3,)], ["sin"]),
    Case("cos", d2lad.cos, [(3,)], ["cos"]),
    Case("tan", lambda x: d2lad.tan(x / 2), [(3,)], ["tan"]),
    Case("tanh", d2lad.tanh, [(3,)], ["tanh"]),
    Case("sigmoid", d2lad.sigmoid, [(3,)], ["sigmoid"]),
    Case("relu", lambda x: d2lad.relu(x) * x, [(5,)], ["relu"], away_from_zero),
    Case("abs", lambda x: d2lad.abs(x) * x, [(5,)], ["abs"], away_from_zero),
    Case("maximum", lambda x, y: d2lad.maximum(x, y) * x, [(4,), (4,)], ["maximum"], distinct),
    Case("minimum", lambda x, y: d2lad.minimum(x, y) * y, [(4,), (4,)], ["minimum"], distinct),
    Case("where", lambda x, y: d2lad.where(x > 0, x * y, y * y), [(5,), (5,)], ["where"],
         away_from_zero),
    Case("sum", lambda x: (x * x).sum(), [(2, 3)], ["sum"]),
    Case("sum_dim", lambda x: (x * x).sum(dim=1, keepdim=True) * x, [(2, 3)], ["sum_dim"]),
    Case("mean", lambda x: (x * x).mean() * x, [(2, 3)], ["mean"]),
    Case("mean_dim", lambda x: (x * x).mean(dim=0), [(2, 3)], ["mean_dim"]),
    Case("prod", lambda x: x.prod(), [(4,)], ["prod"]),
    Case("prod_dim", lambda x: x.prod(dim=1), [(2, 3)], ["prod_dim"]),
    Case("norm", lambda x: x.norm(), [(4,)], ["norm"], away_from_zero),
    Case("norm_dim", lambda x: x.norm(dim=1), [(2, 3)], ["norm"], away_from_zero),
    Case("dot", lambda x, y: d2lad.dot(x, y) * x, [(3,), (3,)], ["dot"]),
    Case("mm", lambda a, b: d2lad.mm(a, b), [(2, 3), (3, 4)], ["mm"]),
    Case("mv", lambda a, v: d2lad.mv(a, v), [(2, 3), (3,)], ["mv"]),
    Case("matmul_batch", lambda a, b: a @ b, [(2, 3, 4), (4, 2)], ["matmul"]),
    Case("matmul_vector_right", lambda a, v: a @ v, [(2, 3, 4), (4,)], ["matmul"]),
    Case("matmul_vector_left", lambda v, a: v @ a, [(3,), (2, 3, 4)], ["matmul"]),
    Case("reshape", lambda x: x.reshape(3, 2) * x.reshape(3, 2), [(2, 3)], ["reshape"]),
    Case("unsqueeze", lambda x, y: x.unsqueeze(1) * y, [(3,), (4,)], ["unsqueeze"]),
    Case("squeeze", lambda x: x.squeeze() ** 2, [(1, 3, 1)], ["squeeze"]),
    Case("squeeze_dim", lambda x: x.squeeze(0) ** 2, [(1, 3)], ["squeeze_dim"]),
    Case("flatten", lambda x: x.flatten() ** 2, [(2, 3)], ["flatten"]),
    Case("permute", lambda x: x.permute(2, 0, 1) ** 2, [(2, 3, 4)], ["transpose"]),
    Case("t", lambda x, y: x.t() * y, [(2, 3), (3, 1)], ["t"]),
    Case("transpose", lambda x: x.transpose(0, 1) ** 2, [(2, 3)], ["transpose2"]),
    Case("broadcast_to", lambda x: x.expand(3, 2) ** 2, [(1, 2)], ["broadcast_to"]),
    Case("sum_to", lambda x: P.sum_to(x * x, shape=(1, 3)), [(2, 3)], ["sum_to"]),
    Case("getitem_array", lambda x: x[np.array([0, 2, 0])] ** 2, [(4,)], ["getitem"]),
    Case("getitem_mask", lambda x: x[np.array([True, False, True, True, False])] ** 2, [(5,)],
         ["getitem"]),
    Case("select", lambda x: x[1] ** 2, [(3, 2)], ["select"]),
    Case("slice", lambda x: x[1:, ::2] ** 2, [(3, 4)], ["slice"]),
    Case("scatter", lambda x: P.scatter(x * x, key=(slice(1, 3),), shape=(4, 2)), [(2, 2)],
         ["scatter"]),
    Case("cat", lambda x, y: d2lad.cat([x, y * y, x], dim=1), [(2, 1), (2, 3)], ["cat"]),
    Case("stack", lambda x, y: d2lad.stack([x * y, y], dim=1), [(3,), (3,)], ["stack"]),
    Case("clone", lambda x: x.clone() * x, [(3,)], ["clone"]),
    Case("softmax", lambda x: Fn.softmax(x, dim=1), [(2, 3)], ["softmax"]),
    Case("log_softmax", lambda x: Fn.log_softmax(x, dim=0), [(2, 3)], ["log_softmax"]),
    Case("shared_subexpression", lambda x: (lambda s: s * s + s)(d2lad.sin(x)), [(3,)],
         ["sin", "mul", "add"]),
    Case("broadcast_chain", lambda x, b: d2lad.tanh(x @ b.unsqueeze(1) + b), [(3, 2), (2,)],
         ["mm", "unsqueeze", "add", "tanh"]),
]


def inputs_of(case: Case, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [case.values(rng, s) for s in case.shapes]


def weights_for(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed weights that turn an output into a scalar loss with a non-trivial gradient."""
    return np.random.default_rng(1).uniform(0.5, 1.5, shape)


def loss(case: Case, *xs: Any) -> Any:
    out = case.fn(*xs)
    return (out * weights_for(tuple(out.shape))).sum()


def symbolic(case: Case) -> tuple[list[sym.Expr], sym.Expr]:
    xs = [sym.var(f"x{i}", shape=s, dtype=d2lad.float64) for i, s in enumerate(case.shapes)]
    return xs, loss(case, *xs)


def bindings(xs: list[sym.Expr], values: list[np.ndarray]) -> dict[str, np.ndarray]:
    return {x.name: v for x, v in zip(xs, values)}


def finite_differences(f: Callable[..., float], values: list[np.ndarray], i: int,
                       eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(values[i])
    for k in np.ndindex(values[i].shape):
        shifted = []
        for sign in (1, -1):
            vs = [v.copy() for v in values]
            vs[i][k] += sign * eps
            shifted.append(f(*vs))
        out[k] = (shifted[0] - shifted[1]) / (2 * eps)
    return out


def eager_grads(case: Case, values: list[np.ndarray]) -> tuple[Any, list[d2lad.Tensor]]:
    ts = [d2lad.tensor(v, requires_grad=True) for v in values]
    return d2lad.autograd.grad(loss(case, *ts), ts, create_graph=True), ts


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_evaluate_matches_eager(case: Case) -> None:
    values = inputs_of(case)
    xs = [sym.var(f"x{i}", shape=s, dtype=d2lad.float64) for i, s in enumerate(case.shapes)]
    out = case.fn(*xs)
    eager = case.fn(*[d2lad.tensor(v) for v in values])
    got = out.evaluate(**bindings(xs, values))
    assert type(got) is d2lad.Tensor
    assert got.shape == eager.shape == out.shape and got.dtype == eager.dtype == out.dtype
    np.testing.assert_array_equal(got.numpy(), eager.numpy())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_grad_matches_eager_and_finite_differences(case: Case) -> None:
    values = inputs_of(case)
    xs, y = symbolic(case)
    ops = sym.count_ops(y)
    assert all(ops[p] for p in case.prims), f"{case.id} does not use {case.prims}: {ops}"
    gs = sym.grad(y, xs)
    _, *got = sym.evaluate([y, *gs], **bindings(xs, values))  # y binds every variable
    eager, _ = eager_grads(case, values)

    def f(*vs: np.ndarray) -> float:
        return loss(case, *[d2lad.tensor(v) for v in vs]).item()

    for i, (g, x, e) in enumerate(zip(got, xs, eager)):
        assert g.shape == x.shape
        np.testing.assert_allclose(g.numpy(), e.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g.numpy(), finite_differences(f, values, i), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_second_derivatives_match_eager(case: Case) -> None:
    """grad(grad(...)): a Hessian-vector product for every input, against eager create_graph."""
    values = inputs_of(case)
    xs, y = symbolic(case)
    gs = sym.grad(y, xs)
    vs = [weights_for(s) for s in case.shapes]
    hvp = sym.grad(sum((g * v).sum() for g, v in zip(gs, vs)), xs)
    _, *got = sym.evaluate([y, *hvp], **bindings(xs, values))
    eager, ts = eager_grads(case, values)
    total = sum((g * v).sum() for g, v in zip(eager, vs))
    expected = d2lad.autograd.grad(total, ts, allow_unused=True) if total.requires_grad else [
        None] * len(ts)  # eager: constant gradients have no graph
    for g, e, x in zip(got, expected, xs):
        want = np.zeros(x.shape) if e is None else e.numpy()
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-9, atol=1e-12)


def test_every_supported_primitive_has_a_case() -> None:
    covered = {p for c in CASES for p in c.prims}
    assert set(sym.SUPPORTED) <= covered, set(sym.SUPPORTED) - covered
    assert set(sym.SUPPORTED) <= set(TABLE)


# ---- building, evaluating, counting -------------------------------------------------------------


def test_building_computes_nothing_and_evaluation_computes_each_node_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str, list[Any]]] = []
    ran: list[tuple[str, list[Any]]] = []

    def spy(log: list, real: Callable[..., Any]) -> Callable[..., Any]:
        def compute(prim: Any, inputs: list[Any], params: dict) -> Any:
            log.append((prim.name, [np.asarray(a._data) for a in inputs]))
            return real(prim, inputs, params)
        return compute

    monkeypatch.setattr(sym_expr, "compute", spy(built, sym_expr.compute))
    sym_evaluate = importlib.import_module("d2lad.sym.evaluate")  # sym.evaluate is the function
    monkeypatch.setattr(sym_evaluate, "compute", spy(ran, sym_evaluate.compute))
    x = sym.var("x", shape=(3,))
    s = d2lad.sin(x)
    y = s * s + s  # s is shared: one node, used three times
    assert [name for name, _ in built] == ["sin", "mul", "add"]  # probes for the shapes,
    assert not any(any(a.strides) for _, inputs in built for a in inputs)  # on placeholders
    assert not ran
    a = y.evaluate(x=[0.0, 1.0, 2.0])
    b = y.evaluate(x=[3.0, 4.0, 5.0])  # the same graph, other values bound later
    assert [name for name, _ in ran] == ["sin", "mul", "add"] * 2  # each node once per run
    np.testing.assert_array_equal(ran[0][1][0], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(ran[3][1][0], [3.0, 4.0, 5.0])
    for got, v in ((a, [0.0, 1.0, 2.0]), (b, [3.0, 4.0, 5.0])):
        s_ = np.sin(np.array(v, dtype=np.float32))
        np.testing.assert_allclose(got.numpy(), s_ * s_ + s_, rtol=1e-6)


def test_count_nodes_by_hand() -> None:
    x = sym.var("x", shape=(3,))
    w = sym.var("w", shape=(3,))
    y = d2lad.sin(x) * w + 1  # x, w, sin, mul, the constant 1, add
    assert sym.count_nodes(y) == 6
    assert sym.count_ops(y) == {"var": 2, "const": 1, "sin": 1, "mul": 1, "add": 1}
    s = d2lad.sin(x)
    assert sym.count_nodes(s * s + s) == 4  # x, sin, mul, add: sin counted once
    assert sym.count_nodes([y, s]) == 7  # two outputs share x
    assert [v.name for v in sym.variables(y)] == ["x", "w"]


def test_repr_shows_the_expression_not_values() -> None:
    x = sym.var("x", shape=(3,))
    w = sym.var("w", shape=(3,))
    assert repr(d2lad.sin(x) * w + 1) == "<sym sin(x) * w + 1: shape (3,)>"
    assert repr((1 - x) / (x - w) ** 2) == "<sym (1 - x) / (x - w) ** 2: shape (3,)>"
    assert repr(x[1:].sum()) == "<sym sum(x[1:]): shape ()>"
    assert repr(sym.var("n", (2,), d2lad.float64)) == "<sym n: shape (2,), dtype float64>"
    deep = x
    for _ in range(200):
        deep = deep * deep  # 2^200 paths: the text is cut off, not expanded
    assert "…" in repr(deep) and len(repr(deep)) < 2000


def test_gradient_graph_is_an_expression() -> None:
    x = sym.var("x", shape=(3,))
    g = sym.grad((x * x).sum(), x)
    assert repr(g) == "<sym x + x: shape (3,)>"  # the ones seed is folded away
    assert sym.grad(d2lad.sin(x).sum(), x).prim.name == "cos"
    assert sym.count_ops(sym.grad(d2lad.relu(x).sum(), x))["stop_gradient"] == 1


def test_d2l_mxnet_snippet() -> None:
    x = sym.var("x", shape=(4,))
    y = 2 * d2lad.dot(x, x)
    g = sym.grad(y, x)
    xv = d2lad.arange(4.0)
    assert y.evaluate(x=xv).item() == 28.0
    np.testing.assert_array_equal(g.evaluate(x=xv).numpy(), (4 * xv).numpy())


def test_second_derivative_of_a_cube() -> None:
    x = sym.var("x", dtype=d2lad.float64)
    y = x ** 3
    d2 = sym.grad(sym.grad(y, x), x)
    d3 = sym.grad(d2, x)
    assert d2.evaluate(x=2.0).item() == 12.0
    assert d3.evaluate(x=5.0).item() == 6.0


def test_grad_with_grad_output_and_unused_variable() -> None:
    x = sym.var("x", shape=(3,))
    u = sym.var("u", shape=(2,))
    v = sym.var("v", shape=(3,))
    gx, gu = sym.grad(d2lad.sin(x), [x, u], grad_output=v)  # a VJP, as a function of v
    got = gx.evaluate(x=[0.0, 1.0, 2.0], v=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(got.numpy(), np.cos([0.0, 1.0, 2.0]) * [1, 2, 3], rtol=1e-6)
    np.testing.assert_array_equal(gu.evaluate().numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match="needs grad_output"):
        sym.grad(d2lad.sin(x), x)
    with pytest.raises(RuntimeError, match="grad_output has shape"):
        sym.grad(d2lad.sin(x), x, grad_output=np.ones(2))


def test_detach_stops_the_gradient() -> None:
    x = sym.var("x")
    g = sym.grad(x * x.detach(), x)
    assert g.evaluate(x=3.0).item() == 3.0


def test_evaluate_at_tensors_that_require_grad_records_eagerly() -> None:
    x = sym.var("x", shape=(3,))
    y = (d2lad.sin(x) * x).sum()
    xt = d2lad.tensor([0.5, 1.0, 1.5], requires_grad=True)
    out = y.evaluate(x=xt)
    out.backward()
    np.testing.assert_allclose(xt.grad.numpy(), sym.grad(y, x).evaluate(x=[0.5, 1.0, 1.5])
                               .numpy(), rtol=1e-6)


def test_comparisons_sign_and_casts_are_symbolic() -> None:
    x = sym.var("x", shape=(4,))
    values = np.array([-1.0, 0.0, 2.0, 3.0], dtype=np.float32)
    exprs = [x > 0, x <= 0, x == 2, x != 2, x.sign(), (x >= 2).sum(), x.double(), 0 < x]
    for e, want in zip(sym.evaluate(exprs, x=values),
                       [values > 0, values <= 0, values == 2, values != 2, np.sign(values),
                        2, values.astype(np.float64), values > 0]):
        np.testing.assert_array_equal(e.numpy(), want)
    assert (x > 0).dtype == d2lad.bool and (x >= 2).sum().dtype == d2lad.int64
    assert x.double().dtype == x.double().evaluate(x=values).dtype == d2lad.float64


def test_forward_mode_over_expressions_gives_a_symbolic_jvp() -> None:
    x = sym.var("x", shape=(3,))
    v = sym.var("v", shape=(3,))
    f = lambda x: (d2lad.sin(x) * x).sum()  # noqa: E731
    out, tangent = d2lad.func.jvp(f, (x,), (v,))
    assert isinstance(tangent, sym.Expr)
    xs, vs = [0.5, 1.0, 2.0], [1.0, -2.0, 0.5]
    expected = (sym.grad(out, x) * v).sum()
    np.testing.assert_allclose(tangent.evaluate(x=xs, v=vs).item(),
                               expected.evaluate(x=xs, v=vs).item(), rtol=1e-6)


# ---- clear errors -------------------------------------------------------------------------------


def test_no_value_until_evaluated() -> None:
    x = sym.var("x", shape=(3,))
    y = x * 2
    for attempt in (lambda: bool(y), lambda: y.item(), lambda: y.numpy(), lambda: float(x),
                    lambda: np.asarray(y), lambda: y.tolist()):
        with pytest.raises(RuntimeError, match="no value until you evaluate it"):
            attempt()
    with pytest.raises(TypeError, match="cannot be changed in place"):
        y[0] = 1.0
    with pytest.raises(RuntimeError, match="sym.grad"):
        y.sum().backward()
    with pytest.raises(NotImplementedError, match="symbolic key"):
        x[x > 0]


def test_missing_and_extra_bindings_name_the_variables() -> None:
    x = sym.var("x", shape=(3,))
    w = sym.var("w", shape=(3,))
    y = x * w
    with pytest.raises(ValueError, match=r"no value given for w\. Its variables are \['x', 'w'\]"):
        y.evaluate(x=np.ones(3))
    with pytest.raises(ValueError, match="no variable named z"):
        y.evaluate(x=np.ones(3), w=np.ones(3), z=1.0)
    with pytest.raises(ValueError, match=r"has shape \(3,\), but the value given has shape \(4,\)"):
        y.evaluate(x=np.ones(4), w=np.ones(3))
    with pytest.raises(ValueError, match="two different variables are named 'x'"):
        (x + sym.var("x", shape=(3,))).evaluate(x=np.ones(3))


def test_shape_errors_at_build_time() -> None:
    with pytest.raises(RuntimeError, match="must match the size"):
        sym.var("x", shape=(3,)) + sym.var("y", shape=(4,))
    with pytest.raises(RuntimeError, match="1D tensors expected"):
        d2lad.dot(sym.var("x", shape=(3,)), sym.var("A", shape=(3, 3)))


def test_unsupported_primitive_is_named() -> None:
    x = sym.var("x", shape=(3,))
    y = d2lad.clamp(x, 0.0, 1.0).sum()
    np.testing.assert_allclose(y.evaluate(x=[-1.0, 0.5, 2.0]).item(), 1.5)  # evaluation works
    with pytest.raises(NotImplementedError, match="'clamp'.*eager mode"):
        sym.grad(y, x)
    assert sym.grad(y, sym.var("z")).evaluate().item() == 0.0  # off the path: never asked


def test_viz_graph_structure() -> None:
    x = sym.var("x", shape=(3,))
    y = d2lad.sin(x) * 2
    graph = y._viz_graph()
    assert isinstance(graph, VGraph)
    by_label = {n.label: n for n in graph.nodes}
    assert [by_label[k].kind for k in ("x", "sin", "2", "mul")] == ["input", "op", "const",
                                                                    "output"]
    assert all(n.grad is None for n in graph.nodes) and by_label["x"].value is None
    assert by_label["x"].shape == (3,) and by_label["x"].name == "x"
    np.testing.assert_array_equal(by_label["2"].value, 2)
    edges = {(a, b) for a, b in graph.edges}
    ids = {k: n.id for k, n in by_label.items()}
    assert edges == {(ids["x"], ids["sin"]), (ids["sin"], ids["mul"]), (ids["2"], ids["mul"])}
    assert 'class="node' in draw(sym.grad(y.sum(), x)).source
