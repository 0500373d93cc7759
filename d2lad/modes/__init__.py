"""Accumulation modes. Reverse accumulation is the engine itself (``d2lad/engine/backward.py``);
forward accumulation, with dual numbers, is ``forward.py`` here. Both read the one table of
derivative rules in ``d2lad/engine/primitives.py``.
"""
