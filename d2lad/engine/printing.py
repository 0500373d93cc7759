"""The text form of a tensor, written the way PyTorch writes it.

PyTorch's repr follows a handful of rules (with its default print options):

* every element of a tensor is written in one common style and padded to one common width;
* the style is chosen from the nonzero finite elements: scientific notation when they span
  more than three orders of magnitude, exceed 1e8 or fall below 1e-4; otherwise whole numbers
  with a trailing dot when all of them are integral; otherwise four decimals;
* rows wrap to stay within 80 characters, and tensors with more than 1000 elements show only
  three items at each end of every dimension, with ``...`` in between;
* the dtype is named unless it is float32, int64 or bool; extra items such as
  ``requires_grad=True`` follow it, on a new line if the last one is full.

>>> format_tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
'tensor([[1., 2.],\\n        [3., 4.]])'
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

PRECISION = 4  # digits after the decimal point
LINEWIDTH = 80  # characters per line
THRESHOLD = 1000  # tensors with more elements than this are summarised
EDGEITEMS = 3  # items kept at each end of a summarised dimension

_PREFIX = "tensor("
_DTYPES = {"float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"}
_UNNAMED_DTYPES = {"float32", "int64", "bool"}  # the dtypes a repr leaves unsaid

Formatter = Callable[[object], str]


def format_tensor(array: np.ndarray, grad_suffix: str | None = None) -> str:
    """repr of a tensor holding `array`, exactly as PyTorch 2.13 prints it.

    `grad_suffix` is an extra item such as ``"requires_grad=True"``, written after the dtype.

    >>> format_tensor(np.float32(2.0), "grad_fn=<AddBackward0>")
    'tensor(2., grad_fn=<AddBackward0>)'
    """
    array = np.asarray(array)
    dtype = array.dtype.name
    if dtype not in _DTYPES:
        raise TypeError(f"cannot print a tensor of dtype {dtype}")
    indent = len(_PREFIX)
    suffixes = []
    if array.size == 0:
        body = "[]"
        if array.ndim != 1:
            suffixes.append(f"size={array.shape}")
        if dtype != "float32":  # no element hints at the dtype, so even int64 is named
            suffixes.append(f"dtype=torch.{dtype}")
    else:
        summarize = array.size > THRESHOLD
        formatter, width = _make_formatter(_edges(array) if summarize else array)
        body = _format_block(array, indent, summarize, formatter, width)
        if dtype not in _UNNAMED_DTYPES:
            suffixes.append(f"dtype=torch.{dtype}")
    if grad_suffix:
        suffixes.append(grad_suffix)
    return _add_suffixes(_PREFIX + body, suffixes, indent)


def _edges(array: np.ndarray) -> np.ndarray:
    """The elements a summary shows: the first and last EDGEITEMS along every long axis.

    >>> _edges(np.arange(10)).tolist()
    [0, 1, 2, 7, 8, 9]
    """
    keep = list(range(EDGEITEMS)) + list(range(-EDGEITEMS, 0))
    for axis, size in enumerate(array.shape):
        if size > 2 * EDGEITEMS:
            array = np.take(array, keep, axis=axis)
    return array


def _render(value: object, style: str) -> str:
    """One element in one of the styles "plain", "int", "fixed" or "sci", without padding.

    >>> _render(3.0, "int"), _render(3.0, "fixed"), _render(3.0, "sci")
    ('3.', '3.0000', '3.0000e+00')
    """
    if style == "int":
        text = f"{value:.0f}"
        return text + "." if math.isfinite(value) else text  # the dot marks a float
    if style == "fixed":
        return f"{value:.{PRECISION}f}"
    if style == "sci":
        return f"{value:.{PRECISION}e}"
    return str(value)


def _make_formatter(sample: np.ndarray) -> tuple[Formatter, int]:
    """Choose the style for the elements of `sample` and the width they share.

    Floats take their style from the nonzero finite elements only; nan, inf and zeros are
    simply written in it.

    >>> formatter, width = _make_formatter(np.array([0.5, 12.0]))
    >>> formatter(0.5), width
    (' 0.5000', 7)
    """
    if sample.dtype.kind != "f":
        style, shown = "plain", sample.ravel().tolist()
    else:
        flat = sample.ravel()
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero.size == 0:
            style, shown = "int", []
        else:
            magnitudes = np.abs(nonzero).astype(np.float64)
            low, high = float(magnitudes.min()), float(magnitudes.max())
            if high / low > 1000.0 or high > 1e8 or low < 1e-4:
                style = "sci"
            elif np.all(nonzero == np.ceil(nonzero)):
                style = "int"
            else:
                style = "fixed"
            shown = nonzero.tolist()
    width = max([1] + [len(_render(value, style)) for value in shown])
    return (lambda value: _render(value, style).rjust(width)), width


def _format_block(
    array: np.ndarray, indent: int, summarize: bool, formatter: Formatter, width: int
) -> str:
    """The bracketed text of `array`, whose first line starts at column `indent`.

    Sub-tensors are separated by a comma and ``ndim - 1`` newlines, so the matrices of a 3-d
    tensor are set apart by a blank line.
    """
    if array.ndim == 0:
        return formatter(array.item())
    if array.ndim == 1:
        return _format_row(array, indent, summarize, formatter, width)
    if summarize and len(array) > 2 * EDGEITEMS:
        parts = [_format_block(sub, indent + 1, summarize, formatter, width)
                 for sub in array[:EDGEITEMS]]
        parts.append("...")
        parts += [_format_block(sub, indent + 1, summarize, formatter, width)
                  for sub in array[-EDGEITEMS:]]
    else:
        parts = [_format_block(sub, indent + 1, summarize, formatter, width) for sub in array]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _format_row(
    row: np.ndarray, indent: int, summarize: bool, formatter: Formatter, width: int
) -> str:
    """A 1-d tensor, wrapped so that each line holds as many padded elements as fit.

    >>> _format_row(np.arange(3), 7, False, str, 1)
    '[0, 1, 2]'
    """
    if summarize and len(row) > 2 * EDGEITEMS:
        items = [formatter(value) for value in row[:EDGEITEMS].tolist()]
        items.append(" ...")  # counts as one item, hence the double space before it
        items += [formatter(value) for value in row[-EDGEITEMS:].tolist()]
    else:
        items = [formatter(value) for value in row.tolist()]
    per_line = max(1, (LINEWIDTH - indent) // (width + 2))  # each item also takes ", "
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Close `text` with its suffixes, starting a new line for any that would not fit.

    PyTorch counts the last line as two characters longer than it is (but a fresh suffix
    line at its true length), so a suffix moves down once the line would reach LINEWIDTH.

    >>> _add_suffixes("tensor([1.]", ["requires_grad=True"], 7)
    'tensor([1.], requires_grad=True)'
    """
    line_length = len(text.rsplit("\n", 1)[-1]) + 2
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + suffix
            line_length = indent + len(suffix)
        else:
            text += ", " + suffix
            line_length += len(suffix) + 2
    return text + ")"
