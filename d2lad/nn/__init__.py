"""``d2lad.nn``: only ``functional`` for now (losses and activations)."""

from d2lad.nn import functional

__all__ = ["functional"]
