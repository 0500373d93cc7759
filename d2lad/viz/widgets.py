"""A stepper: play a forward or reverse trace one node at a time on the drawn graph.

ipywidgets is imported only when a stepper is made, so ``import d2lad.viz`` needs numpy only.

>>> import d2lad
>>> x = d2lad.tensor(0.5, requires_grad=True)
>>> s = stepper(x.sin() * x)
>>> s.slider.value = 2
>>> s.current()["node"]
'x1'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from d2lad.engine.tensor import Tensor
from d2lad.viz.svg import SVG, render
from d2lad.viz.trace import Trace, trace_forward, trace_reverse


class Stepper:
    """A Play button and a slider over the steps of a trace; each step shows the graph with
    that step's node highlighted (nodes not reached yet are faded) and the table so far.
    The boxes reached show their tangent (forward) or their adjoint, labelled ``grad``
    (reverse: the adjoint of a node is the gradient of the output with respect to it).

    Fields: ``trace``, ``play``, ``slider``, ``view`` (an HTML widget), ``widget`` (the box
    Jupyter shows). Build it with :func:`stepper`, or from a trace:

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> Stepper(trace_reverse(x.exp())).slider.max
    1
    """

    def __init__(self, trace: Trace):
        import ipywidgets as widgets

        self.trace = trace
        last = len(trace.rows) - 1
        self.play = widgets.Play(value=0, min=0, max=last, interval=1200, description="play")
        self.slider = widgets.IntSlider(value=0, min=0, max=last, description="step")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.view = widgets.HTML()
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.view])
        self.slider.observe(self._show, names="value")
        self._show()

    def current(self) -> dict[str, Any]:
        """The row of the step the slider is on."""
        return self.trace.rows[self.slider.value]

    def svg(self) -> SVG:
        """The graph at the current step."""
        step = self.slider.value
        rows = self.trace.rows[:step + 1]
        found = {r["id"]: r[self.trace.column] for r in rows}
        reverse = self.trace.mode == "reverse"
        graph = dataclasses.replace(self.trace.graph, nodes=[
            dataclasses.replace(n, grad=found.get(n.id) if reverse else None,
                                tangent=None if reverse else found.get(n.id))
            for n in self.trace.graph.nodes])
        reached = {r["id"] for r in rows} | {n.id for n in graph.nodes if n.kind == "const"}
        return render(graph, highlight=rows[-1]["id"], visited=reached)

    def _show(self, change: Any = None) -> None:
        self.view.value = (f'<div style="overflow:auto">{self.svg().source}</div>'
                           + self.trace.html(self.slider.value))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def stepper(y: Tensor, mode: str = "reverse", tangents: Any = None,
            names: Mapping[str, Tensor] | None = None) -> Stepper:
    """A widget stepping through ``trace_reverse(y)`` or ``trace_forward(y, tangents)``
    (``mode="forward"``) on the drawing of ``y``'s graph. Call it before ``y.backward()``.

    >>> import d2lad
    >>> x = d2lad.tensor(2.0, requires_grad=True)
    >>> len(stepper(x * x, mode="forward", tangents=1.0).trace)
    2
    """
    if mode == "reverse":
        trace = trace_reverse(y, names=names)
    elif mode == "forward":
        trace = trace_forward(y, tangents, names=names)
    else:
        raise ValueError(f'mode must be "reverse" or "forward", not {mode!r}')
    return Stepper(trace)
