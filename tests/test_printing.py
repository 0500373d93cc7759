"""format_tensor against PyTorch's own repr, character for character.

The literal tests run everywhere; the differential ones need PyTorch (the ``torch`` fixture in
conftest.py skips them without it) and compare on a deterministic set of arrays: magnitudes
from 1e-8 to 1e10, integral floats, style-switching mixes, nan/inf/-0., 0-d to 4-d shapes,
wrapped rows, summarised tensors, empty shapes and every supported dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from d2lad.engine.printing import format_tensor

# ---- torch-free: literal expected strings -------------------------------------------------------

LITERALS = [
    (np.array([0, 4, 8, 12], np.float32), None, "tensor([ 0.,  4.,  8., 12.])"),
    (np.array(1.4540, np.float32), "requires_grad=True", "tensor(1.4540, requires_grad=True)"),
    (np.float32(2.0), "grad_fn=<AddBackward0>", "tensor(2., grad_fn=<AddBackward0>)"),
    (np.array(1677721600.0, np.float32), None, "tensor(1.6777e+09)"),
    (np.array([True, False]), None, "tensor([ True, False])"),
    (np.array([1, 2, 3]), None, "tensor([1, 2, 3])"),
    (np.array([[1, 2], [3, 4]], np.float32), None, "tensor([[1., 2.],\n        [3., 4.]])"),
    (np.array([1.0, 2.0]), "requires_grad=True",
     "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"),
    (np.zeros((0, 3), np.float32), None, "tensor([], size=(0, 3))"),
    (np.zeros(0, np.float32), None, "tensor([])"),
    (np.zeros(0, np.int64), None, "tensor([], dtype=torch.int64)"),
    (np.array([np.nan, -np.inf, 0.0, -0.0, 3.0], np.float32), None,
     "tensor([nan, -inf, 0., -0., 3.])"),
    (np.array([1e-5, 1.0], np.float32), None, "tensor([1.0000e-05, 1.0000e+00])"),
    (np.array([0.5, -2.25], np.float32), None, "tensor([ 0.5000, -2.2500])"),
    (np.arange(1001), None, "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    (np.arange(8, dtype=np.uint8).reshape(2, 2, 2), None,
     "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]],"
     " dtype=torch.uint8)"),
    (np.arange(30, dtype=np.float32), None,
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
     "        28., 29.])"),
]


@pytest.mark.parametrize("array, suffix, expected", LITERALS)
def test_literal(array: np.ndarray, suffix: str | None, expected: str) -> None:
    assert format_tensor(array, suffix) == expected


def test_rejects_unsupported_dtype() -> None:
    with pytest.raises(TypeError):
        format_tensor(np.array([1 + 2j]))


# ---- differential: the cases --------------------------------------------------------------------

FLOATS = (np.float32, np.float64, np.float16)
INTS = (np.int64, np.int32, np.int16, np.int8, np.uint8)


def build_cases() -> list[tuple[str, np.ndarray]]:
    """(id, array) pairs, the same on every run."""
    rng = np.random.default_rng(20240613)
    cases: list[tuple[str, np.ndarray]] = []

    def add(name: str, values: Any, dtype: Any = np.float32) -> None:
        with np.errstate(over="ignore"):  # overflowing to inf in float16/float32 is on purpose
            cases.append((f"{len(cases)}-{name}", np.asarray(values, dtype=dtype)))

    def random_shape() -> tuple[int, ...]:
        ndim = int(rng.integers(0, 5))
        return tuple(int(n) for n in rng.integers(1, 6 if ndim > 2 else 25, size=ndim))

    # values spread over one magnitude each, from 1e-8 to 1e10, with mixed signs
    for exponent in range(-8, 11):
        for dtype in (np.float32, np.float64):
            shape = random_shape()
            signs = rng.choice([-1.0, 1.0], size=shape)
            add(f"mag1e{exponent}", signs * rng.uniform(1, 10, size=shape) * 10.0**exponent, dtype)
    # values spread over many magnitudes at once (mostly sci mode)
    for i in range(20):
        shape = random_shape()
        low, high = sorted(rng.integers(-9, 11, size=2))
        values = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(low, high, size=shape)
        add(f"spread{i}", values, FLOATS[i % 3] if high < 4 else np.float64)
    # plain random floats of every float dtype and shape
    for i in range(30):
        add(f"normal{i}", rng.normal(0, 3, size=random_shape()), FLOATS[i % 3])
    # integral floats, small and large
    for i in range(15):
        bound = [10, 1000, 10**6, 10**9][i % 4]
        add(f"integral{i}", rng.integers(-bound, bound, size=random_shape()), FLOATS[i % 2])
    # the borders of the style rules
    for values in ([1.0, 1000.0], [1.0, 1000.5], [1.0, 1001.0], [0.001, 1.0], [1e8], [1e8 + 8],
                   [1e-4], [9.9e-5], [0.00011, 0.1], [123456.7], [99999.5], [0.5, 99.99999],
                   [-1.0, 1.0], [5e-324, 1e308], [1e-300, 1e300], [2.0**60], [-0.0], [0.0],
                   [0.0, -0.0, 1.5], [0.0, -0.0, 1.0]):
        add(f"border{values}", values, np.float64)
        add(f"border{values}", values, np.float32)
    # nan, inf and negative zero, alone and mixed into every style
    for values in ([np.nan], [np.inf], [-np.inf], [np.nan, np.inf, -np.inf], [np.nan, 0.0],
                   [np.nan, 1.0, 1000.0], [-np.inf, 2.5, -0.0], [np.inf, 1e9, 1.0],
                   [[np.nan, 1e-6], [-0.0, 3.0]], [-0.0, 1e-9], [np.inf, 123456789.0]):
        for dtype in FLOATS:
            add("special", values, dtype)
    # 0-d tensors and numpy scalars
    for value in (0.0, -0.0, 1.4540, -2.0, 1677721600.0, 3e-7, np.nan, -np.inf, 12345.678):
        for dtype in FLOATS:
            add("scalar", value, dtype)
    cases.append(("np.float64", np.float64(2.5)))
    cases.append(("np.bool_", np.bool_(True)))
    # long rows that wrap, in 1-d and inside matrices and 3-d tensors
    for n in (13, 14, 15, 16, 17, 26, 27, 40, 77, 99, 150):
        add(f"arange{n}", np.arange(n), np.float32)
        add(f"arange{n}", np.arange(n) * 1.37 - 40, np.float32)
        add(f"arange{n}", np.arange(n) ** 3, np.int64)
    for shape in ((2, 30), (3, 17), (2, 2, 21), (4, 1, 40)):
        add(f"wrap{shape}", rng.normal(size=shape) * 100, np.float32)
        add(f"wrap{shape}", rng.normal(size=shape) * 1e6, np.float64)
    # more than THRESHOLD elements: summarised
    for shape in ((1001,), (1000, 2), (2, 1000), (33, 33), (7, 7, 7, 7), (10, 10, 11), (6, 200),
                  (200, 6), (3, 4, 100), (1, 1200)):
        add(f"big{shape}", rng.normal(size=shape), np.float32)
        add(f"big{shape}", rng.integers(-10**6, 10**6, size=shape), np.int64)
    add("big-edges-small", np.r_[np.full(3, 0.5), np.full(1000, 1e9), np.full(3, 0.25)])
    add("big-arange", np.arange(10000.0).reshape(100, 100), np.float64)
    # exactly THRESHOLD elements is not summarised
    add("exactly1000", np.arange(1000), np.float32)
    add("exactly1000", np.arange(1000).reshape(10, 100), np.int16)
    # empty shapes
    for shape in ((0,), (0, 3), (2, 0), (2, 0, 3), (0, 0)):
        for dtype in (*FLOATS, *INTS, np.bool_):
            add(f"empty{shape}", np.zeros(shape), dtype)
    # every integer dtype over its range, and bools
    for dtype in INTS:
        info = np.iinfo(dtype)
        for i in range(4):
            values = rng.integers(info.min, info.max, size=random_shape(), endpoint=True)
            add(f"int{i}", values, dtype)
        add("int-extremes", [info.min, info.max, 0], dtype)
    for i in range(5):
        add(f"bool{i}", rng.random(random_shape()) < 0.5, np.bool_)
    add("bool-all-true", [True, True], np.bool_)
    add("bool-long", rng.random(40) < 0.5, np.bool_)
    # float16 overflow to inf and its tiny subnormals
    add("half-extremes", [65504.0, 1e5, 6e-8, -1.0], np.float16)
    return cases


CASES = build_cases()


# ---- differential: the comparisons --------------------------------------------------------------


@pytest.mark.parametrize("array", [array for _, array in CASES], ids=[name for name, _ in CASES])
def test_matches_torch(torch: Any, array: np.ndarray) -> None:
    """Plain, requires_grad and grad_fn variants (the last two only where torch allows)."""
    reference = torch.tensor(array)
    assert format_tensor(array) == repr(reference)
    if np.asarray(array).dtype.kind == "f":
        leaf = reference.clone().requires_grad_()
        assert format_tensor(array, "requires_grad=True") == repr(leaf)
        result = leaf.clone()
        assert format_tensor(array, "grad_fn=<CloneBackward0>") == repr(result)


def test_suffix_wrapping(torch: Any) -> None:
    """Suffixes of many lengths after last lines of many lengths, via custom grad_fn names."""
    for name_length in (1, 10, 25, 45):
        identity = type("F" * name_length, (torch.autograd.Function,), {
            "forward": staticmethod(lambda ctx, x: x.clone()),
            "backward": staticmethod(lambda ctx, grad: grad)})
        for n in range(1, 32):
            for dtype in (np.float32, np.float64):
                array = (np.arange(n) * (1.5 if n % 2 else 1.0)).astype(dtype)
                result = identity.apply(torch.tensor(array, requires_grad=True))
                suffix = f"grad_fn=<{type(result.grad_fn).__name__}>"
                assert format_tensor(array, suffix) == repr(result)
