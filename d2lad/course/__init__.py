"""Course tooling: running the lesson notebooks (``notebooks.py``); exercise checks, release
and grading arrive with the exercises."""
