"""Layered drawing of a directed acyclic graph, top to bottom, in pure Python (Sugiyama's method).

1. **Layers**: longest path from the inputs (a node sits one layer below its lowest input);
   inputs are then moved down to just above their first use, so leaves do not pile up on top.
2. **Dummies**: an edge crossing several layers becomes a chain of invisible points, one per
   layer, so that long edges take part in the ordering and bend around the boxes.
3. **Order**: barycenter sweeps (each node moves to the mean position of its neighbours in
   the layer above, then below, ...) plus swaps of neighbours; the order with fewest
   crossings wins.
4. **Coordinates**: each node is pulled towards its neighbours' mean x, subject to the boxes not
   overlapping: per layer a least-squares problem solved exactly by pool-adjacent-violators.

>>> lay = layout([0, 1, 2], [(0, 2), (1, 2)], {i: (40.0, 20.0) for i in range(3)})
>>> lay.centers[2][0] == (lay.centers[0][0] + lay.centers[1][0]) / 2
True
>>> lay.centers[0][1] < lay.centers[2][1]
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

Point = tuple[float, float]

NODE_GAP = 24.0      # horizontal space between boxes
DUMMY_GAP = 10.0     # between a box or a long edge and another long edge
LAYER_GAP = 46.0     # vertical space between layers
MARGIN = 12.0
SWEEPS = 12
ROUNDS = 8           # rounds of coordinate straightening
PORT_STEP = 12.0     # distance between edges leaving or entering the same box


@dataclass
class Layout:
    """Where everything goes: box centers by node id, one polyline per edge (from the bottom of
    its source box to the top of its target box, through its dummy points), and the size.

    >>> layout([0, 1], [(0, 1)], {0: (20.0, 10.0), 1: (20.0, 10.0)}).routes
    [[(22.0, 22.0), (22.0, 68.0)]]
    """

    centers: dict[int, Point]
    routes: list[list[Point]]
    width: float
    height: float


def layout(ids: list[int], edges: list[tuple[int, int]],
           sizes: dict[int, tuple[float, float]]) -> Layout:
    """Lay out nodes ``ids`` of sizes ``sizes[id] = (width, height)`` linked by ``edges``.

    >>> lay = layout([7], [], {7: (30.0, 10.0)})
    >>> lay.centers, lay.width
    ({7: (27.0, 17.0)}, 54.0)
    """
    idx = {v: i for i, v in enumerate(ids)}
    g = _Graph([sizes[v][0] for v in ids], [sizes[v][1] for v in ids], len(ids))
    g.layer = _layers(len(ids), [(idx[s], idx[d]) for s, d in edges])
    chains = [g.chain(idx[s], idx[d]) for s, d in edges]
    layers = _order(g)
    x = _coordinates(g, layers)
    tops, bands = _bands(g, layers)
    left = min((x[v] - g.w[v] / 2 for v in range(len(g.w))), default=0.0)
    shift = MARGIN - left
    routes = _routes(g, chains, x, shift, tops, bands)
    centers = {v: (x[idx[v]] + shift, tops[g.layer[idx[v]]] + bands[g.layer[idx[v]]] / 2)
               for v in ids}
    width = max((x[v] + g.w[v] / 2 + shift for v in range(len(g.w))), default=0.0) + MARGIN
    height = (tops[-1] + bands[-1] if tops else 0.0) + MARGIN
    return Layout(centers, routes, width, height)


class _Graph:
    """The working graph: nodes ``0..n-1`` are real, later ones are dummies."""

    def __init__(self, w: list[float], h: list[float], n_real: int):
        self.w, self.h, self.n_real = w, h, n_real
        self.layer: list[int] = []
        self.up: dict[int, list[int]] = defaultdict(list)    # neighbours one layer above
        self.down: dict[int, list[int]] = defaultdict(list)  # neighbours one layer below

    def chain(self, s: int, d: int) -> list[int]:
        """The nodes an edge s -> d passes: s, one new dummy per layer between, d."""
        chain = [s]
        for layer in range(self.layer[s] + 1, self.layer[d]):
            self.w.append(0.0)
            self.h.append(0.0)
            self.layer.append(layer)
            chain.append(len(self.w) - 1)
        chain.append(d)
        for a, b in zip(chain, chain[1:]):
            self.down[a].append(b)
            self.up[b].append(a)
        return chain

    def gap(self, a: int, b: int) -> float:
        """The least distance between the centers of neighbours a, b in a layer."""
        real = a < self.n_real and b < self.n_real
        return (self.w[a] + self.w[b]) / 2 + (NODE_GAP if real else DUMMY_GAP)


def _layers(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Longest-path layers, then sources moved down to just above their highest consumer."""
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for s, d in edges:
        preds[d].append(s)
        succs[s].append(d)
    waiting = [len(set(p)) for p in preds]
    ready = [v for v in range(n) if not waiting[v]]
    layer = [0] * n
    done = 0
    while ready:
        v = ready.pop()
        done += 1
        for d in set(succs[v]):
            layer[d] = max(layer[d], layer[v] + 1)
            waiting[d] -= 1
            if not waiting[d]:
                ready.append(d)
    if done < n:
        raise ValueError("the graph has a cycle: only acyclic graphs can be drawn in layers")
    for v in range(n):
        if not preds[v] and succs[v]:
            layer[v] = min(layer[d] for d in succs[v]) - 1
    return layer


def _order(g: _Graph) -> list[list[int]]:
    """Nodes of each layer from left to right, with few edge crossings."""
    layers: list[list[int]] = [[] for _ in range(max(g.layer, default=-1) + 1)]
    for v, layer in enumerate(g.layer):
        layers[layer].append(v)
    pos = {v: i for row in layers for i, v in enumerate(row)}
    best, fewest = [row[:] for row in layers], _crossings(g, layers, pos)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        rows = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for r in rows:
            near = g.up if downward else g.down
            layers[r].sort(key=lambda v, near=near: _mean([pos[u] for u in near[v]], pos[v]))
            pos.update((v, i) for i, v in enumerate(layers[r]))
        _swap_neighbours(g, layers, pos)
        crossings = _crossings(g, layers, pos)
        if crossings < fewest:
            best, fewest = [row[:] for row in layers], crossings
    return best


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _pair_crossings(g: _Graph, a: int, b: int, pos: dict[int, int]) -> int:
    """Crossings between the edges of a and of b (both layers) when a is left of b."""
    return sum(pos[u] > pos[w] for near in (g.up, g.down) for u in near[a] for w in near[b])


def _swap_neighbours(g: _Graph, layers: list[list[int]], pos: dict[int, int]) -> None:
    """Swap neighbours in a layer while that removes crossings."""
    improved = True
    while improved:
        improved = False
        for row in layers:
            for i in range(len(row) - 1):
                a, b = row[i], row[i + 1]
                if _pair_crossings(g, b, a, pos) < _pair_crossings(g, a, b, pos):
                    row[i], row[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    improved = True


def _crossings(g: _Graph, layers: list[list[int]], pos: dict[int, int]) -> int:
    """How many pairs of edges cross between consecutive layers."""
    total = 0
    for row in layers[:-1]:
        ends = sorted((pos[a], pos[b]) for a in row for b in g.down[a])
        total += sum(b1 > b2 for i, (a1, b1) in enumerate(ends) for a2, b2 in ends[i + 1:]
                     if a1 < a2)
    return total


def _coordinates(g: _Graph, layers: list[list[int]]) -> list[float]:
    """x of every node: pulled towards its neighbours, boxes kept apart."""
    x = [0.0] * len(g.w)
    for row in layers:
        for i, v in enumerate(row):
            x[v] = x[row[i - 1]] + g.gap(row[i - 1], v) if i else 0.0
    for rnd in range(ROUNDS):
        last = rnd == ROUNDS - 1
        downward = rnd % 2 == 0
        rows = layers if downward else layers[::-1]
        for row in rows:
            wanted, weights = [], []
            for v in row:
                near = g.up[v] + g.down[v] if last else (g.up[v] if downward else g.down[v])
                wanted.append(_mean([x[u] for u in near], x[v]))
                weights.append((1.0 if near else 0.1) * (3.0 if v >= g.n_real else 1.0))
            for v, xv in zip(row, _closest_spaced(wanted, weights, row, g)):
                x[v] = xv
    return x


def _closest_spaced(wanted: list[float], weights: list[float], row: list[int],
                    g: _Graph) -> list[float]:
    """Positions minimizing sum w_i (x_i - wanted_i)^2 with x_(i+1) - x_i >= gap: with
    offsets s_i (the gaps so far) this is isotonic regression of wanted_i - s_i, solved
    by pool-adjacent-violators."""
    offsets = [0.0]
    for a, b in zip(row, row[1:]):
        offsets.append(offsets[-1] + g.gap(a, b))
    blocks: list[list[float]] = []  # pooled runs: [weighted sum, weight, count]
    for t, s, w in zip(wanted, offsets, weights):
        blocks.append([w * (t - s), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += c
    out: list[float] = []
    for s, w, c in blocks:
        out.extend([s / w] * int(c))
    return [y + s for y, s in zip(out, offsets)]


def _bands(g: _Graph, layers: list[list[int]]) -> tuple[list[float], list[float]]:
    """Top and height of each layer's horizontal band."""
    tops, bands = [], []
    y = MARGIN
    for row in layers:
        band = max((g.h[v] for v in row), default=0.0)
        tops.append(y)
        bands.append(band)
        y += band + LAYER_GAP
    return tops, bands


def _routes(g: _Graph, chains: list[list[int]], x: list[float], shift: float,
            tops: list[float], bands: list[float]) -> list[list[Point]]:
    """Per edge, its polyline: out of its source's bottom, vertically through each dummy's
    band, into its target's top. Edges sharing a box end get ports spread along it."""
    out_port = _ports(g, [(c[0], c[1], i) for i, c in enumerate(chains)], x)
    in_port = _ports(g, [(c[-1], c[-2], i) for i, c in enumerate(chains)], x)
    routes = []
    for i, chain in enumerate(chains):
        s, d = chain[0], chain[-1]
        mid_s = tops[g.layer[s]] + bands[g.layer[s]] / 2
        mid_d = tops[g.layer[d]] + bands[g.layer[d]] / 2
        points = [(x[s] + out_port[i] + shift, mid_s + g.h[s] / 2)]
        for v in chain[1:-1]:
            top = tops[g.layer[v]]
            points += [(x[v] + shift, top), (x[v] + shift, top + bands[g.layer[v]])]
        points.append((x[d] + in_port[i] + shift, mid_d - g.h[d] / 2))
        routes.append(points)
    return routes


def _ports(g: _Graph, ends: list[tuple[int, int, int]], x: list[float]) -> dict[int, float]:
    """Offsets along a box for the edges ``(box, other_end, edge)`` that touch it, in the
    order of their other ends, so that they leave (or enter) it without crossing."""
    by_box: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for box, other, edge in ends:
        by_box[box].append((x[other], edge))
    offsets = {}
    for box, items in by_box.items():
        items.sort()
        k = len(items)
        step = min(PORT_STEP, 0.8 * g.w[box] / (k - 1)) if k > 1 else 0.0
        for j, (_, edge) in enumerate(items):
            offsets[edge] = (j - (k - 1) / 2) * step
    return offsets
