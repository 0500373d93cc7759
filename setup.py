"""Build hook: ship the lesson and exercise notebooks inside the d2lad package.

Everything else about the package is in pyproject.toml. ``notebooks/*.ipynb`` and
``exercises/*.ipynb`` are copied into the wheel as ``d2lad/_course/``, where ``d2lad lab``
finds them; ``solutions/`` is never copied. An editable install (``pip install -e .``) copies
nothing: ``d2lad lab`` then reads the repository's folders directly.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COURSE_FOLDERS = ("notebooks", "exercises")


class BuildPyWithCourse(build_py):
    """``build_py`` that also copies the course notebooks into ``d2lad/_course/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder in COURSE_FOLDERS:
            target = Path(self.build_lib, "d2lad", "_course", folder)
            self.mkpath(str(target))
            for notebook in sorted((ROOT / folder).glob("*.ipynb")):
                self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildPyWithCourse})
