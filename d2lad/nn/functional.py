"""Activations and losses, as ``torch.nn.functional``, built from d2lad's operations.

>>> import d2lad
>>> import d2lad.nn.functional as F
>>> F.mse_loss(d2lad.tensor([1.0, 2.0]), d2lad.tensor([1.0, 4.0]))
tensor(2.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from d2lad.engine import functions as fn
from d2lad.engine import primitives as P
from d2lad.engine.tensor import Tensor

relu, sigmoid, tanh = P.relu, P.sigmoid, P.tanh


def _axis(input: Tensor, dim: int | None) -> tuple[int, ...]:
    """``dim`` as the primitives' axis tuple: ``(k,)``, or ``()`` for a 0-d tensor."""
    if dim is None:
        dim = 0 if input._data.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit choice
    return fn._dims(dim, input._data.ndim)


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: probabilities that sum to 1.

    >>> import d2lad
    >>> softmax(d2lad.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    return P.softmax(input, axis=_axis(input, dim))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably."""
    return P.log_softmax(input, axis=_axis(input, dim))


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or sum, or none) of the squared differences."""
    diff = input - target
    return _reduce(diff * diff, reduction)


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C) against class indices ``target`` (N,)."""
    logp = log_softmax(input, dim=-1)
    labels = np.asarray(target._data if isinstance(target, Tensor) else target)
    if logp._data.ndim == 1:
        return _reduce(-logp[int(labels)], reduction)
    picked = logp[np.arange(labels.shape[0]), labels]
    return _reduce(-picked, reduction)


def _reduce(x: Tensor, reduction: str) -> Any:
    if reduction == "mean":
        return fn.mean(x)
    if reduction == "sum":
        return fn.sum(x)
    if reduction == "none":
        return x
    raise ValueError(f"{reduction} is not a valid value for reduction: use 'mean', 'sum' or 'none'")
