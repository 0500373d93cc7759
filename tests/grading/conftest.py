"""Fixtures of the grader's tests: solution notebooks in the course's format, which
tests/test_grade.py grades; they are data, not tests, so nbval does not collect them here."""

collect_ignore_glob = ["*.ipynb", "solutions/*.ipynb", "bench_*.py"]
