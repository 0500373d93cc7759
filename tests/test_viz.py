"""d2lad.viz: the SVG drawing, the forward and reverse traces, the stepper, the memory counters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import d2lad
from d2lad.viz import (
    VGraph,
    VNode,
    draw,
    from_tensor,
    graph_stats,
    peak_memory,
    stepper,
    trace_forward,
    trace_reverse,
)
from d2lad.viz.layout import layout
from d2lad.viz.svg import short

SVG_NS = "{http://www.w3.org/2000/svg}"


def leaf(*shape: int, seed: int = 0) -> d2lad.Tensor:
    """A float64 leaf with random values in [-1, 1]."""
    values = np.random.default_rng(seed).uniform(-1.0, 1.0, shape)
    return d2lad.tensor(values, dtype=d2lad.float64, requires_grad=True)


def groups(source: str, kind: str) -> list[ET.Element]:
    """The ``<g>`` elements whose class starts with ``kind`` ("node" or "edge")."""
    root = ET.fromstring(source)
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("class", "").split()[0] == kind]


def scalar_mlp(*p: d2lad.Tensor) -> d2lad.Tensor:
    """A 2-layer tanh MLP on 3 scalar inputs with 2 hidden units and 2 outputs, summed:
    17 scalar leaves (``MLP_NAMES``), 42 nodes, every input used by several neurons."""
    xs = list(p[:3])
    hidden = [_neuron(p[3 + 3 * j:6 + 3 * j], p[9 + j], xs) for j in range(2)]
    out = [_neuron(p[11 + 2 * k:13 + 2 * k], p[15 + k], hidden) for k in range(2)]
    return out[0] + out[1]


MLP_NAMES = ([f"x{i}" for i in range(3)] + [f"w{j}{i}" for j in range(2) for i in range(3)]
             + ["b0", "b1"] + [f"u{k}{j}" for k in range(2) for j in range(2)] + ["c0", "c1"])


def _neuron(ws: Any, b: d2lad.Tensor, xs: list[d2lad.Tensor]) -> d2lad.Tensor:
    s = ws[0] * xs[0]
    for w, x in zip(ws[1:], xs[1:]):
        s = s + w * x
    return d2lad.tanh(s + b)


def mlp_and_names() -> tuple[d2lad.Tensor, dict[str, d2lad.Tensor]]:
    leaves = [leaf(seed=i) for i in range(len(MLP_NAMES))]
    return scalar_mlp(*leaves), dict(zip(MLP_NAMES, leaves))


# ---- drawing ------------------------------------------------------------------------------------

def test_svg_is_well_formed_with_one_group_per_node_and_edge() -> None:
    x, w = leaf(3), leaf(2, 3, seed=1)
    y = (d2lad.tanh(w @ x + 1.0) * 2).sum()
    graph = from_tensor(y)
    source = draw(y).source
    assert len(groups(source, "node")) == len(graph.nodes) == 9
    assert len(groups(source, "edge")) == len(graph.edges) == 8
    kinds = [g.get("class") for g in groups(source, "node")]
    assert kinds.count("node input") == 2 and kinds.count("node output") == 1
    assert sum("const" in k for k in kinds) == 2


def test_a_node_used_twice_has_two_edges() -> None:
    x = leaf()
    graph = from_tensor(x * x)
    assert graph.edges == [(0, 1), (0, 1)]
    assert len(groups(draw(x * x).source, "edge")) == 2


def test_labels_are_escaped() -> None:
    label = "a<b> & \"c'"
    graph = VGraph([VNode(0, label, "input", (2,), np.array([1.0, -2.0])),
                    VNode(1, "<lambda>", "output", (), np.array(3.0), name="v<1>")], [(0, 1)])
    source = draw(graph).source
    assert "<lambda>" not in source and "&lt;lambda&gt;" in source
    texts = [t.text for t in ET.fromstring(source).iter(f"{SVG_NS}text")]
    assert label in texts and "<lambda>" in texts and "v<1> · scalar" in texts


def test_names_values_and_gradients_are_shown() -> None:
    x = leaf(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    texts = [t.text for t in ET.fromstring(draw(y, names={"x": x}).source).iter(f"{SVG_NS}text")]
    assert ["x", "[3]", "= " + short(x.detach().numpy()), "grad " + short(x.grad.numpy())] == \
        texts[:4]
    assert ["SumBackward0", "v2 · scalar", "= " + short(y.item())] == texts[-3:]


def test_draw_accepts_a_list_of_outputs_and_the_viz_graph_protocol() -> None:
    x = leaf(2)
    a, b = x.sin(), x.cos()
    kinds = [g.get("class") for g in groups(draw([a, b]).source, "node")]
    assert kinds.count("node output") == 2

    class Symbolic:
        def _viz_graph(self) -> VGraph:
            return VGraph([VNode(0, "x", "input"), VNode(1, "exp", "op"),
                           VNode(2, "add", "output")], [(0, 1), (0, 2), (1, 2)])

    assert len(groups(draw(Symbolic()).source, "node")) == 3


def test_a_node_kind_must_be_known() -> None:
    with pytest.raises(ValueError, match="kind"):
        VNode(0, "x", "variable")


def boxes(source: str) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of each node's box (its last <rect>)."""
    out = []
    for g in groups(source, "node"):
        r = g.findall(f"{SVG_NS}rect")[-1]
        x0, y0 = float(r.get("x")), float(r.get("y"))
        out.append((x0, y0, x0 + float(r.get("width")), y0 + float(r.get("height"))))
    return out


def test_a_graph_of_thirty_nodes_renders_without_overlaps() -> None:
    y, names = mlp_and_names()
    graph = from_tensor(y, names)
    assert len(graph.nodes) >= 30
    source = draw(y, names=names).source
    rects = boxes(source)
    assert len(rects) == len(graph.nodes)
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    root = ET.fromstring(source)
    assert max(r[2] for r in rects) <= float(root.get("width"))
    assert max(r[3] for r in rects) <= float(root.get("height"))


def test_layout_puts_every_edge_downwards_from_source_to_target() -> None:
    y, names = mlp_and_names()
    graph = from_tensor(y, names)
    sizes = {n.id: (60.0, 30.0) for n in graph.nodes}
    lay = layout([n.id for n in graph.nodes], graph.edges, sizes)
    for (s, d), route in zip(graph.edges, lay.routes):
        (sx, sy), (dx, dy) = lay.centers[s], lay.centers[d]
        assert route[0][1] == pytest.approx(sy + 15) and abs(route[0][0] - sx) <= 30
        assert route[-1][1] == pytest.approx(dy - 15) and abs(route[-1][0] - dx) <= 30
        assert all(p[1] <= q[1] for p, q in zip(route, route[1:]))


def test_layout_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        layout([0, 1], [(0, 1), (1, 0)], {0: (10.0, 10.0), 1: (10.0, 10.0)})


# ---- traces -------------------------------------------------------------------------------------

def joined(a: d2lad.Tensor, b: d2lad.Tensor) -> d2lad.Tensor:
    c = d2lad.cat([a, b * a.sum()])
    return (d2lad.stack([c, c.sin()]) ** 2).sum()


GRAPHS: dict[str, tuple[Callable[..., d2lad.Tensor], list[tuple[int, ...]]]] = {
    # name: (function of the leaves, the leaves' shapes); everything float64
    "used_twice": (lambda x: (d2lad.sin(x) * x).sum(), [(3,)]),
    "mlp": (lambda x, w1, b1, w2: d2lad.tanh(w2 @ d2lad.tanh(w1 @ x + b1)).sum(),
            [(3,), (4, 3), (4,), (2, 4)]),
    "broadcast_and_divide": (lambda a, b: (d2lad.exp(a / (b * b + 1.0)) - 2 * b).mean(),
                             [(2, 3), (3,)]),
    "joined": (joined, [(2,), (3,)]),
    "scalar_mlp": (scalar_mlp, [()] * len(MLP_NAMES)),
}


def build(name: str) -> tuple[Callable[..., d2lad.Tensor], list[d2lad.Tensor]]:
    fn, shapes = GRAPHS[name]
    return fn, [leaf(*shape, seed=i) for i, shape in enumerate(shapes)]


def leaf_rows(trace: Any, leaves: list[d2lad.Tensor]) -> list[dict[str, Any]]:
    """The trace's row of each leaf, found by its values (the same array)."""
    by_id = {r["id"]: r for r in trace.rows}
    node_of = {id(n.value): n.id for n in trace.graph.nodes}
    return [by_id[node_of[id(x._data)]] for x in leaves]


@pytest.mark.parametrize("name", GRAPHS)
def test_trace_reverse_ends_with_the_gradients_backward_computes(name: str) -> None:
    fn, leaves = build(name)
    y = fn(*leaves)
    trace = trace_reverse(y)
    y.backward()
    assert trace.rows[0]["id"] == trace.graph.nodes[-1].id  # the output comes first
    for x, row in zip(leaves, leaf_rows(trace, leaves)):
        np.testing.assert_allclose(row["adjoint"], x.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", GRAPHS)
def test_trace_forward_gives_the_directional_derivative(name: str) -> None:
    fn, leaves = build(name)
    y = fn(*leaves)
    rng = np.random.default_rng(7)
    tangents = [rng.uniform(-1.0, 1.0, x.shape) for x in leaves]
    forward = trace_forward(y, dict(zip(leaves, tangents)))
    assert forward.rows[-1]["id"] == forward.graph.nodes[-1].id  # the output comes last
    dot = forward.rows[-1]["tangent"]
    reverse = trace_reverse(y)
    via_reverse = sum(np.sum(r["adjoint"] * t)
                      for t, r in zip(tangents, leaf_rows(reverse, leaves)))
    assert dot == pytest.approx(via_reverse, rel=1e-12, abs=1e-14)

    def f(s: float) -> float:
        moved = [d2lad.tensor(x.detach().numpy() + s * t) for x, t in zip(leaves, tangents)]
        return fn(*moved).item()

    h = 1e-6
    assert dot == pytest.approx((f(h) - f(-h)) / (2 * h), rel=1e-7, abs=1e-9)


def test_traces_name_nodes_and_quote_the_rule_that_fired() -> None:
    x = d2lad.tensor(0.5, dtype=d2lad.float64, requires_grad=True)
    y = d2lad.sin(x) * x
    forward = trace_forward(y, 1.0, names={"x": x})
    assert [(r["node"], r["op"]) for r in forward.rows] == [
        ("x", "input"), ("v1", "sin"), ("v2", "mul")]
    assert forward.row("v1")["rule"] == "sin: d/dx = cos x"
    assert forward.row("v1")["tangent"] == pytest.approx(np.cos(0.5))
    reverse = trace_reverse(y, names={"x": x})
    assert reverse.row("x")["rule"] == "leaf: sum of 2 uses, added into .grad"
    assert "<table" in reverse._repr_html_() and "sin: d/dx = cos x" in repr(reverse)


def test_trace_forward_tangents_by_name_and_missing_leaves_get_zeros() -> None:
    a, b = leaf(2), leaf(2, seed=1)
    y = (a * b).sum()
    only_a = trace_forward(y, {"a": np.ones(2)}, names={"a": a, "b": b})
    assert only_a.rows[-1]["tangent"] == pytest.approx(b.detach().numpy().sum())
    with pytest.raises(TypeError, match="dict"):
        trace_forward(y, np.ones(2))


def test_traces_need_the_graph_backward_frees() -> None:
    x = leaf(3)
    y = (x.sin() * x).sum()
    y.backward(retain_graph=True)
    assert trace_reverse(y).rows  # still there
    y.backward()
    for trace in (trace_reverse, trace_forward):
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            trace(y)


# ---- stepper ------------------------------------------------------------------------------------

def highlighted(html: str) -> list[str]:
    """The data-id of the highlighted node in the SVG inside a stepper's HTML."""
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    return [g.get("data-id") for g in groups(svg, "node") if "current" in g.get("class")]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_stepper_moves_the_highlight_with_its_slider(mode: str) -> None:
    x = leaf(3)
    s = stepper((d2lad.exp(x) * x).sum(), mode=mode)
    assert s.slider.max == len(s.trace.rows) - 1 == 3
    seen = []
    for step in (0, 2, 1, 3):
        s.slider.value = step
        (current,) = highlighted(s.view.value)
        assert current == str(s.trace.rows[step]["id"])
        seen.append(current)
    assert len(set(seen)) == 4
    assert s._repr_mimebundle_()["text/plain"].startswith("VBox")


def test_stepper_shows_the_derivatives_found_so_far() -> None:
    x = d2lad.tensor(0.5, dtype=d2lad.float64, requires_grad=True)
    y = d2lad.sin(x) * x
    forward = stepper(y, mode="forward", tangents=2.0)
    forward.slider.value = 1  # x, then sin x: tangent 2 cos(0.5)
    texts = [t.text for t in ET.fromstring(forward.svg().source).iter(f"{SVG_NS}text")]
    assert texts.count("tangent 2") == 1 and texts.count(f"tangent {2 * np.cos(0.5):.4g}") == 1
    reverse = stepper(y)
    texts = [t.text for t in ET.fromstring(reverse.svg().source).iter(f"{SVG_NS}text")]
    assert [t for t in texts if t.startswith("grad")] == ["grad 1"]


def test_stepper_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="forward"):
        stepper(leaf().exp(), mode="sideways")


# ---- memory ------------------------------------------------------------------------------------

def chain(n: int) -> d2lad.Tensor:
    x = leaf(100)
    for _ in range(n):
        x = x.sin()
    return x.sum()


def test_graph_stats_grow_linearly_with_a_chain() -> None:
    stats = {n: graph_stats(chain(n)) for n in (5, 10, 20)}
    for n, s in stats.items():
        assert s == {"nodes": n + 1, "saved_arrays": n, "saved_bytes": n * 800}
    y = chain(10)
    y.backward()
    assert graph_stats(y)["saved_arrays"] == 0


def test_peak_memory_returns_the_result_and_counts_its_arrays() -> None:
    result, peak = peak_memory(lambda n: np.ones(n).sum(), 250_000)
    assert result == 250_000 and peak >= 2_000_000
    _, small = peak_memory(lambda: chain(2).backward())
    _, large = peak_memory(lambda: chain(40).backward())
    assert large > small + 30 * 800
