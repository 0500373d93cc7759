"""Drawing a graph as SVG text: boxes from ``layout``, curved edges with arrowheads, no Graphviz.

Inputs are blue rounded boxes, parameters green, constants grey and dashed, operations white
and the output amber. Each box shows the operation (or the leaf's name), the variable's name
and shape, its value (``=``) and, when known, its gradient (``grad``) or tangent. Node boxes are
``<g class="node ...">`` elements, edges ``<g class="edge">``, so they are easy to find.

>>> import d2lad
>>> x = d2lad.tensor([1.0, 2.0], requires_grad=True)
>>> svg = draw((x * x).sum())
>>> svg.source.count('class="node'), svg.source.count('class="edge')
(3, 3)
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from d2lad.viz.graph import VGraph, VNode, as_graph
from d2lad.viz.layout import Point, layout

CHAR_W = 7.3   # width of one monospace character at FONT_SIZE (a little generous)
FONT_SIZE = 12
LINE_H = 15
PAD_X, PAD_Y = 9, 6
ARROW = 7.0

STYLE = {  # kind: (fill, stroke, corner radius, dash)
    "input": ("#dbeafe", "#2563eb", 9, ""),
    "param": ("#dcfce7", "#15803d", 9, ""),
    "const": ("#f3f4f6", "#9ca3af", 9, "4 3"),
    "op": ("#ffffff", "#475569", 3, ""),
    "output": ("#fef3c7", "#d97706", 3, ""),
}
EDGE, EDGE_HOT, HOT = "#64748b", "#dc2626", "#dc2626"


class SVG:
    """An SVG picture: shown inline by Jupyter, ``.save(path)`` writes a standalone file.

    >>> SVG('<svg xmlns="http://www.w3.org/2000/svg"/>').source[:4]
    '<svg'
    """

    def __init__(self, source: str):
        self.source = source

    def _repr_svg_(self) -> str:
        return self.source

    def __repr__(self) -> str:  # the plain-text form notebooks save beside the picture
        nodes = self.source.count('class="node')
        return f"<SVG drawing, {nodes} nodes>"

    def __str__(self) -> str:
        return self.source

    def save(self, path: str | Path) -> None:
        """Write the picture to ``path`` (an ``.svg`` file any browser opens)."""
        Path(path).write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + self.source + "\n",
                              encoding="utf-8")


def short(value: Any, n: int = 3) -> str:
    """A few characters for a value: the number itself, or the first ``n`` entries.

    >>> short(np.float64(0.123456)), short(np.arange(5.0))
    ('0.1235', '[0, 1, 2, …]')
    """
    a = np.asarray(value)
    if a.ndim == 0:
        return f"{a.item():.4g}"
    items = [f"{v:.3g}" for v in a.ravel()[:n].tolist()]
    return "[" + ", ".join(items + (["…"] if a.size > n else [])) + "]"


def draw(obj: Any, names: Mapping[str, Any] | None = None, highlight: int | None = None,
         visited: Collection[int] | None = None) -> SVG:
    """Draw a computation graph: of a tensor (what it was computed from), a list of tensors,
    a :class:`~d2lad.viz.graph.VGraph`, or any object with a ``_viz_graph()`` method.

    ``names`` labels leaves (``{"x": x}``). ``highlight`` marks one node (by id) in red, and
    with ``visited`` given, the nodes not in it are faded (the stepper uses both). Values of
    intermediate results are freed by ``backward()``: draw before it, or use
    ``backward(retain_graph=True)``, to see them all.

    >>> import d2lad
    >>> x = d2lad.tensor(0.5, requires_grad=True)
    >>> svg = draw(x.sin() * x, names={"x": x})  # then svg.save("graph.svg"), or show it
    >>> svg.source.count('class="node')
    3
    """
    return render(as_graph(obj, names), highlight, visited)


def render(graph: VGraph, highlight: int | None = None,
           visited: Collection[int] | None = None) -> SVG:
    """Lay out ``graph`` and write it as SVG (see ``draw``).

    >>> g = VGraph([VNode(0, "a<b", "input")], [])
    >>> "a&lt;b" in render(g).source
    True
    """
    lines = {n.id: _lines(n) for n in graph.nodes}
    sizes = {i: (max(len(s) for s in ls) * CHAR_W + 2 * PAD_X, len(ls) * LINE_H + 2 * PAD_Y)
             for i, ls in lines.items()}
    lay = layout([n.id for n in graph.nodes], graph.edges, sizes)
    w, h = round(lay.width), round(lay.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="monospace" font-size="{FONT_SIZE}">',
           f'<rect width="{w}" height="{h}" fill="#ffffff"/>']
    for (_, dst), route in zip(graph.edges, lay.routes):
        out.append(_edge(route, EDGE_HOT if dst == highlight else EDGE))
    for n in graph.nodes:
        faded = visited is not None and n.id not in visited and n.id != highlight
        out.append(_node(n, lines[n.id], lay.centers[n.id], sizes[n.id], n.id == highlight,
                         faded))
    out.append("</svg>")
    return SVG("\n".join(out))


def _lines(n: VNode) -> list[str]:
    """The text of a box: operation, name and shape, value, gradient."""
    shape = "?" if n.shape is None else "scalar" if n.shape == () else str(list(n.shape))
    meta = shape if not n.name or n.name == n.label else f"{n.name} · {shape}"
    lines = [n.label, meta]
    if n.value is not None:
        lines.append("= " + short(n.value))
    if n.grad is not None:
        lines.append("grad " + short(n.grad))
    if n.tangent is not None:
        lines.append("tangent " + short(n.tangent))
    return lines


def _node(n: VNode, lines: list[str], center: Point, size: tuple[float, float], hot: bool,
          faded: bool) -> str:
    fill, stroke, radius, dash = STYLE[n.kind]
    cx, cy = center
    w, h = size
    x0, y0 = cx - w / 2, cy - h / 2
    classes = " ".join(["node", n.kind] + (["current"] if hot else []))
    parts = [f'<g class="{classes}" data-id="{n.id}"' + (' opacity="0.4"' if faded else "") + ">",
             f"<title>{_esc(_tooltip(n))}</title>"]
    if hot:
        parts.append(f'<rect x="{x0 - 4:.1f}" y="{y0 - 4:.1f}" width="{w + 8:.1f}" '
                     f'height="{h + 8:.1f}" rx="{radius + 4}" fill="#fee2e2" stroke="none"/>')
    width = 2.8 if hot else 2.0 if n.kind == "output" else 1.2
    parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" '
                 f'rx="{radius}" fill="{fill}" stroke="{HOT if hot else stroke}" '
                 f'stroke-width="{width}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    for k, text in enumerate(lines):
        y = y0 + PAD_Y + (k + 1) * LINE_H - 4
        style = ' font-weight="bold"' if k == 0 else ' fill="#475569"' if k == 1 else ""
        parts.append(f'<text x="{cx:.1f}" y="{y:.1f}" text-anchor="middle"{style}>'
                     f"{_esc(text)}</text>")
    parts.append("</g>")
    return "".join(parts)


def _tooltip(n: VNode) -> str:
    """The hover text: the full value and gradient (long arrays summarized by numpy)."""
    text = f"{n.name or n.label} ({n.kind}): {n.label}"
    for what, a in (("value", n.value), ("grad", n.grad)):
        if a is not None:
            text += f"\n{what} = " + np.array2string(np.asarray(a), precision=4, threshold=20)
    return text


def _edge(route: list[Point], color: str) -> str:
    """A smooth curve through ``route`` (vertical at every point) ending in an arrowhead."""
    (tx, ty) = route[-1]
    points = route[:-1] + [(tx, ty - ARROW)]
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        my = (ay + by) / 2
        d += f" C{ax:.1f},{my:.1f} {bx:.1f},{my:.1f} {bx:.1f},{by:.1f}"
    head = (f"M{tx:.1f},{ty:.1f} L{tx - ARROW / 2:.1f},{ty - ARROW:.1f} "
            f"L{tx + ARROW / 2:.1f},{ty - ARROW:.1f} Z")
    width = 2.0 if color == EDGE_HOT else 1.3
    return (f'<g class="edge"><path d="{d}" fill="none" stroke="{color}" '
            f'stroke-width="{width}"/><path d="{head}" fill="{color}"/></g>')


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
