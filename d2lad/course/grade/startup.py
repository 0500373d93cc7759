"""Loaded first (``-p d2lad.course.grade.startup``) in the grader's pytest processes only.

nbval imports nbformat, which imports jsonschema, which imports ``rfc3987_syntax`` when it is
installed (JupyterLab's dependencies install it) to check IRI formats, which no notebook
schema uses. That import builds a grammar and takes most of a second, in the pytest controller
and again in every xdist worker, before the first notebook runs. These processes are the
grader's own, so they skip it: jsonschema then simply has no IRI format checker.

>>> import sys
>>> "rfc3987_syntax" in sys.modules
True
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
