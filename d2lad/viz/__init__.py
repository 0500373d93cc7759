"""Seeing automatic differentiation: graphs, step-by-step traces, a stepper, memory counters.

- ``draw(y)``: the computation graph of a tensor (or a list of tensors, or a symbolic graph)
  as SVG, shown inline by Jupyter, ``.save("graph.svg")`` for a file. Pure Python: no Graphviz.
- ``trace_forward(y, tangents)`` / ``trace_reverse(y)``: forward and reverse accumulation run
  step by step on the recorded graph, as tables (``.rows``).
- ``stepper(y, mode="reverse")``: a Play button and a slider over those steps (ipywidgets).
- ``graph_stats(y)`` and ``peak_memory(fn, *args)``: what a graph keeps for backward, and the
  peak memory of a call.

Protocol for other graph kinds: ``draw(obj)`` calls ``obj._viz_graph()`` when ``obj`` has that
method; it must return a ``VGraph`` (``from d2lad.viz.graph import VGraph, VNode``)::

    def _viz_graph(self) -> VGraph:
        x = VNode(0, "x", "input", shape=(), value=np.array(2.0))
        s = VNode(1, "sin", "output", shape=(), value=np.sin(2.0), name="v1")
        return VGraph([x, s], [(0, 1)])  # edges (src_id, dst_id): data flows src -> dst

``VNode(id, label, kind, shape=None, value=None, grad=None, name="", tangent=None)``:
``label`` is the op name (or a leaf's name), ``kind`` one of ``"input"``, ``"param"``,
``"const"``, ``"op"``, ``"output"``; repeat an edge for each use of a node as an input
(``x * x``: two edges). Nodes may come in any order; the graph must be acyclic.

>>> import d2lad
>>> from d2lad.viz import draw, trace_reverse
>>> x = d2lad.tensor(1.0, requires_grad=True)
>>> y = d2lad.tanh(x) * x
>>> draw(y, names={"x": x}).source.count('class="node')
3
>>> round(float(trace_reverse(y).rows[-1]["adjoint"]), 4)  # tanh x + x (1 - tanh² x)
1.1816
"""

from d2lad.viz.graph import VGraph, VNode, from_tensor
from d2lad.viz.memory import graph_stats, peak_memory
from d2lad.viz.svg import SVG, draw
from d2lad.viz.trace import Trace, trace_forward, trace_reverse
from d2lad.viz.widgets import Stepper, stepper

__all__ = ["SVG", "Stepper", "Trace", "VGraph", "VNode", "draw", "from_tensor", "graph_stats",
           "peak_memory", "stepper", "trace_forward", "trace_reverse"]
