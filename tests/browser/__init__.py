"""Tests in a real browser: the lesson notebooks run in JupyterLab in headless Chromium.

A package, so that its conftest.py does not collide with tests/conftest.py under
--doctest-modules (both would be imported as the module `conftest`)."""
