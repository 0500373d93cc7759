"""Values that travel between the grader and a learner's kernel, as JSON.

The grader sends a part's inputs into the kernel and the probe sends the learner's results
back, both through :func:`to_data` and :func:`from_data`. The same two functions also run
inside the kernel: the probe cell embeds their source, so they import only the standard
library, numpy and d2lad, and they define everything they use inside their own bodies.

The convention: arrays and d2lad tensors travel as ``{"__array__": ..., "dtype", "shape"}``;
on arrival an array becomes a d2lad tensor (``tensors=True``: float arrays as float64
tensors, what a learner's function receives and what the reference receives) or a numpy
array (``tensors=False``: what ``compare`` receives). Tuples and sets arrive as lists, numpy
scalars as Python numbers; anything else arrives as an opaque value whose type is named after
the original one, which no comparison accepts.

>>> import numpy as np
>>> data = to_data((np.arange(3.0), 2, "reverse"))
>>> data[0]
{'__array__': [0.0, 1.0, 2.0], 'dtype': 'float64', 'shape': [3]}
>>> from_data(data)
[array([0., 1., 2.]), 2, 'reverse']
>>> from_data(data, tensors=True)[0]
tensor([0., 1., 2.], dtype=torch.float64)
"""

from __future__ import annotations

from typing import Any


def to_data(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-able data: arrays and tensors tagged, containers recursively.

    >>> to_data({"a": 1.5, 2: [True, None]})
    {'__dict__': [['a', 1.5], [2, [True, None]]]}
    """
    import numpy as np

    if depth > 40:
        raise ValueError("the value is nested more than 40 levels deep")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, complex):
        return {"__complex__": [value.real, value.imag]}
    if isinstance(value, np.generic):
        return to_data(value.item(), depth + 1)
    module = type(value).__module__ or ""
    if module.startswith("d2lad") and hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().numpy()
    elif not isinstance(value, np.ndarray) and hasattr(value, "__array__"):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"__array__": value.tolist(), "dtype": str(value.dtype),
                    "shape": list(value.shape)}
        return [to_data(v, depth + 1) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_data(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"__set__": [to_data(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[to_data(k, depth + 1), to_data(v, depth + 1)]
                             for k, v in value.items()]}
    return {"__object__": type(value).__name__, "repr": repr(value)[:200]}


def from_data(data: Any, tensors: bool = False) -> Any:
    """The value :func:`to_data` described: arrays as numpy arrays, or as d2lad tensors.

    >>> from_data({"__array__": [[1, 2]], "dtype": "int64", "shape": [1, 2]})
    array([[1, 2]])
    >>> from_data({"__object__": "Figure", "repr": "<Figure>"})
    <unreadable Figure>
    """
    import numpy as np

    if isinstance(data, list):
        return [from_data(v, tensors) for v in data]
    if not isinstance(data, dict):
        return data
    if "__array__" in data:
        array = np.array(data["__array__"], dtype=data["dtype"]).reshape(data["shape"])
        if not tensors:
            return array
        import d2lad

        if array.dtype.kind == "f":
            return d2lad.tensor(array, dtype=d2lad.float64)
        return d2lad.tensor(array)
    if "__complex__" in data:
        return complex(*data["__complex__"])
    if "__set__" in data:
        return {from_data(v, tensors) for v in data["__set__"]}
    if "__dict__" in data:
        return {_hashable(from_data(k, tensors)): from_data(v, tensors)
                for k, v in data["__dict__"]}
    if "__object__" in data:
        name = "".join(c for c in str(data["__object__"]) if c.isalnum() or c == "_")
        kind = type(name or "Unreadable", (Unreadable,), {})
        return kind(str(data.get("repr", ""))[:200])
    raise ValueError(f"not a value the grader sends: keys {sorted(data)[:5]}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


class Unreadable:
    """A value that could not travel as data (a figure, a function): equal to nothing.

    >>> Unreadable("<function f>") == Unreadable("<function f>")
    False
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<unreadable {type(self).__name__}>"
