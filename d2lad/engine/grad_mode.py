"""Switching gradient recording off and on: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a context manager and as a decorator, as in PyTorch.

>>> import d2lad
>>> x = d2lad.ones(2, requires_grad=True)
>>> with d2lad.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    """Process-wide autograd state: whether operations record a graph, and a count of in-place
    changes so far (backward skips its in-place checks for nodes recorded since the last one)."""

    __slots__ = ("enabled", "inplace_count")

    def __init__(self) -> None:
        self.enabled = True
        self.inplace_count = 0


STATE = _GradState()


def is_grad_enabled() -> bool:
    """True when operations record a graph for backward.

    >>> is_grad_enabled()
    True
    """
    return STATE.enabled


class set_grad_enabled:  # PyTorch's name
    """Turn recording on or off; as a call, a ``with`` block, or a decorator.

    >>> with set_grad_enabled(False):
    ...     is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, func: F) -> F:
        STATE.enabled = self.prev
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradSwitch:
    """Base of ``no_grad`` and ``enable_grad``: a context manager and a decorator."""

    mode = True

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self.prev

    def __call__(self, func: F) -> F:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradSwitch):  # PyTorch's name
    """Do not record: results do not require grad (evaluation, parameter updates).

    >>> @no_grad()
    ... def evaluate(): return is_grad_enabled()
    >>> evaluate()
    False
    """

    mode = False


class enable_grad(_GradSwitch):  # PyTorch's name
    """Record again inside a ``no_grad`` block.

    >>> with no_grad():
    ...     with enable_grad():
    ...         is_grad_enabled()
    True
    """

    mode = True
