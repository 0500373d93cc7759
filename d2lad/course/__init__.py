"""Course tooling: instant checks in exercise notebooks (``check``), how parts are graded
(``parts.py``), releasing exercises from solutions, grading, and running notebooks.

>>> from d2lad.course import check
>>> callable(check)
True
"""

from d2lad.course.check import check

__all__ = ["check"]
