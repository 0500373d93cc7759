"""Read-only helpers for probing a learner's notebook: what a figure shows, which names a
function's code uses.

Checkers call them, and a graded ``Part`` can name them in its ``probe`` expression (the grader
evaluates it in the learner's kernel). They have no side effects: they create no figure, call
none of the learner's functions, import nothing new, and return plain data (dicts, lists,
strings, floats) that can travel from a kernel to the grading process.

In a probe expression, reach them through ``__import__`` so the probe does not depend on what
the learner imported::

    PROBES = "__import__('d2lad.course.probes', fromlist=['figure_curves'])"
    Part("02.2", points=2, probe=PROBES + ".figure_curves(fig)", compare=...)
    Part("02.1", points=3, probe=PROBES + ".with_code_names(sin_and_derivative)",
         inputs=..., reference=..., compare=...)  # compare sees {"result", "code_names"}

>>> import numpy as np
>>> def f(x):
...     return np.cos(x) + helper(x)
>>> def helper(x):
...     return abs(x)
>>> [n for n in code_names(f) if n in ("cos", "abs", "helper")]
['abs', 'cos', 'helper']
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any


def _function_of(obj: Any) -> types.FunctionType | None:
    """The Python function behind ``obj`` (a function, method, partial or wrapper), if any."""
    for _ in range(10):
        if isinstance(obj, types.FunctionType):
            return obj
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        elif isinstance(obj, functools.partial):
            obj = obj.func
        elif isinstance(getattr(obj, "__wrapped__", None), types.FunctionType):
            obj = obj.__wrapped__
        else:
            return None
    return None


def _code_objects(code: types.CodeType) -> list[types.CodeType]:
    """``code`` and the code objects nested in it (lambdas, comprehensions, inner functions)."""
    found = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += _code_objects(const)
    return found


def _name_of(obj: Any) -> str | None:
    """``obj.__name__`` when it is a string (a custom ``__getattr__`` is not consulted)."""
    try:
        name = object.__getattribute__(obj, "__name__")
    except Exception:
        return None
    return name if isinstance(name, str) else None


def code_names(fn: Any) -> list[str]:
    """The names that ``fn``'s code uses, sorted: globals, attributes (``np.cos`` gives ``np``
    and ``cos``), the names of the objects those globals hold (``c = np.cos`` gives ``cos``
    for ``c``), and the same for the notebook's own functions that ``fn`` refers to, followed
    through any depth. Nothing is called. Anything that is not a Python function gives ``[]``.

    >>> import math
    >>> g = math.cos
    >>> "cos" in code_names(lambda x: g(x))
    True
    >>> code_names(len)
    []
    """
    names: set[str] = set()
    seen: set[int] = set()
    todo = [fn]
    while todo:
        func = _function_of(todo.pop())
        if func is None or id(func) in seen:
            continue
        seen.add(id(func))
        scope = func.__globals__
        referred: list[Any] = []
        for code in _code_objects(func.__code__):
            for name in code.co_names:
                names.add(name)
                if name in scope:
                    referred.append(scope[name])
        for cell in func.__closure__ or ():
            try:
                referred.append(cell.cell_contents)
            except ValueError:  # an empty cell: a variable not assigned yet
                pass
        for obj in referred:
            inner = _function_of(obj)
            if inner is not None and inner.__globals__ is scope:
                todo.append(inner)  # the notebook's own helper: read its code too
            elif callable(obj):
                name = _name_of(obj)
                if name:
                    names.add(name)
    return sorted(names)


def _floats(values: Any) -> list[float] | None:
    """``values`` as a list of floats, or None when they are not numbers."""
    import numpy as np

    try:
        return np.asarray(values, dtype=np.float64).ravel().tolist()
    except (TypeError, ValueError):
        return None


def figure_curves(fig: Any = None) -> dict[str, Any]:
    """What a matplotlib figure shows, as plain data.

    ``fig`` is a Figure or an Axes; by default pyplot's current figure, if pyplot has one (none
    is created). Returns ``{"axes": [...]}`` with, per axes: ``title``, ``xlabel``,
    ``ylabel``, ``legend`` (the texts of its legend, or None when it has none) and ``lines``,
    each ``{"label", "x", "y"}`` (matplotlib names unlabelled lines ``"_child0"`` and so on).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> _ = ax.plot([0, 1], [2, 3], label="line")
    >>> _ = ax.legend()
    >>> figure_curves(ax.figure)["axes"][0]["lines"]
    [{'label': 'line', 'x': [0.0, 1.0], 'y': [2.0, 3.0]}]
    """
    if fig is None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None or not pyplot.get_fignums():
            return {"axes": []}
        fig = pyplot.gcf()
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    if isinstance(fig, Axes):
        axes = [fig]
    elif isinstance(fig, FigureBase):
        axes = list(fig.axes)
    else:
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig).__name__}")
    result = []
    for ax in axes:
        legend = ax.get_legend()
        lines = []
        for line in ax.get_lines():
            x, y = _floats(line.get_xdata()), _floats(line.get_ydata())
            lines.append({"label": str(line.get_label()), "x": x or [], "y": y or []})
        result.append({
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "legend": None if legend is None else [t.get_text() for t in legend.get_texts()],
            "lines": lines,
        })
    return {"axes": result}


def with_code_names(fn: Any) -> Any:
    """A function that calls ``fn`` and returns ``{"result": fn(...), "code_names": [...]}``,
    so one graded part can judge both what ``fn`` computes and how (``code_names``). Making
    it calls nothing; the grader calls it with the inputs it chose.

    >>> import math
    >>> probe = with_code_names(lambda x: math.sin(x))
    >>> out = probe(0.0)
    >>> out["result"], "sin" in out["code_names"]
    (0.0, True)
    """
    names = code_names(fn)

    def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"result": fn(*args, **kwargs), "code_names": names}

    return call
