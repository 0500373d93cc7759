"""Run the d2lad command line as ``python -m d2lad``."""

from d2lad.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
