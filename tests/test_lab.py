"""``d2lad lab``: copying the course without losing a learner's work, and starting JupyterLab."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from local_server import free_port, stop_process_group

from d2lad.cli import main
from d2lad.course import lab
from d2lad.course.lab import MANIFEST, LabError, copy_course, course_files, course_source

ROOT = Path(__file__).resolve().parent.parent


def make_source(tmp_path: Path, lessons: dict[str, str]) -> Path:
    """A stand-in for the shipped course: notebooks/<name> with the given text, no exercises."""
    source = tmp_path / "source"
    (source / "notebooks").mkdir(parents=True, exist_ok=True)
    (source / "exercises").mkdir(exist_ok=True)
    for name, text in lessons.items():
        (source / "notebooks" / name).write_text(text)
    return source


def test_the_course_is_lessons_and_exercises_never_solutions() -> None:
    shipped = course_files(course_source())
    expected = sorted(
        f"{path.parent.name}/{path.name}"
        for folder in lab.COURSE_FOLDERS
        for path in (ROOT / folder).glob("*.ipynb")
    )
    assert sorted(shipped) == expected
    assert "notebooks/00_index.ipynb" in shipped and "exercises/01_chain_rule.ipynb" in shipped
    for name, data in shipped.items():
        assert data == (ROOT / name).read_bytes(), name
        assert b"BEGIN SOLUTION" not in data and b"hidden-tests" not in data, name


def test_first_copy_then_nothing_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    first = copy_course(folder)
    assert len(first.copied) == len(course_files(course_source())) and not first.kept
    assert (folder / lab.START).is_file()
    again = copy_course(folder)
    assert again.copied == again.updated == again.kept == []
    assert sorted(again.unchanged) == sorted(first.copied)


def test_edited_files_are_kept_and_listed(tmp_path: Path) -> None:
    source = make_source(tmp_path, {"a.ipynb": "course v1", "b.ipynb": "course v1"})
    folder = tmp_path / "course"
    copy_course(folder, source)
    (folder / "notebooks" / "a.ipynb").write_text("my answers")
    for name in ("a.ipynb", "b.ipynb"):
        (source / "notebooks" / name).write_text("course v2")

    report = copy_course(folder, source)

    assert report.kept == ["notebooks/a.ipynb"]
    assert report.updated == ["notebooks/b.ipynb"]
    assert (folder / "notebooks" / "a.ipynb").read_text() == "my answers"
    assert (folder / "notebooks" / "b.ipynb").read_text() == "course v2"
    assert "kept your edited notebooks/a.ipynb" in report.summary()
    assert "1 updated" in report.summary() and "1 kept" in report.summary()
    # still kept on the next run: the record keeps the digest of what was copied
    assert copy_course(folder, source).kept == ["notebooks/a.ipynb"]


def notebook(source: str, output: str = "", language_info: dict | None = None) -> str:
    """A one-cell notebook as JSON text, run (with an output) or not."""
    outputs = [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": 1 if output else None,
                   "metadata": {}, "outputs": outputs, "source": [source]}],
        "metadata": {"language_info": language_info or {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


def test_running_a_notebook_is_not_editing_it(tmp_path: Path) -> None:
    """Outputs and the metadata JupyterLab saves do not block an update; sources do."""
    source = make_source(tmp_path, {"ran.ipynb": notebook("print(1)"),
                                    "answered.ipynb": notebook("x = None")})
    folder = tmp_path / "course"
    copy_course(folder, source)
    ran = notebook("print(1)", output="1\n", language_info={"name": "python", "version": "3"})
    (folder / "notebooks" / "ran.ipynb").write_text(ran)
    (folder / "notebooks" / "answered.ipynb").write_text(notebook("x = 42", output="42"))

    again = copy_course(folder, source)
    assert again.unchanged == ["notebooks/ran.ipynb"]
    assert again.kept == ["notebooks/answered.ipynb"]
    assert (folder / "notebooks" / "ran.ipynb").read_text() == ran  # outputs left alone

    (source / "notebooks" / "ran.ipynb").write_text(notebook("print(2)"))
    (source / "notebooks" / "answered.ipynb").write_text(notebook("x = None  # new hint"))
    report = copy_course(folder, source)
    assert report.updated == ["notebooks/ran.ipynb"]
    assert report.kept == ["notebooks/answered.ipynb"]
    assert "print(2)" in (folder / "notebooks" / "ran.ipynb").read_text()
    assert "x = 42" in (folder / "notebooks" / "answered.ipynb").read_text()


def test_a_file_that_was_there_before_is_never_overwritten(tmp_path: Path) -> None:
    source = make_source(tmp_path, {"a.ipynb": "course"})
    folder = tmp_path / "course"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "notebooks" / "a.ipynb").write_text("a learner's own notebook")
    assert copy_course(folder, source).kept == ["notebooks/a.ipynb"]
    assert (folder / "notebooks" / "a.ipynb").read_text() == "a learner's own notebook"


def test_deleted_files_come_back(tmp_path: Path) -> None:
    source = make_source(tmp_path, {"a.ipynb": "course"})
    folder = tmp_path / "course"
    copy_course(folder, source)
    (folder / "notebooks" / "a.ipynb").unlink()
    assert copy_course(folder, source).copied == ["notebooks/a.ipynb"]


def test_a_broken_record_is_an_error_that_loses_nothing(tmp_path: Path) -> None:
    source = make_source(tmp_path, {"a.ipynb": "course"})
    folder = tmp_path / "course"
    copy_course(folder, source)
    (folder / MANIFEST).write_text("{not json")
    with pytest.raises(LabError, match="delete that file"):
        copy_course(folder, source)
    (folder / MANIFEST).unlink()
    (folder / "notebooks" / "a.ipynb").write_text("mine")
    assert copy_course(folder, source).kept == ["notebooks/a.ipynb"]


def test_cli_copy_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "work"
    assert main(["lab", str(folder), "--copy-only"]) == 0
    out = capsys.readouterr().out
    assert f"course files in {folder.resolve()}: 18 copied." in out
    assert "00_index.ipynb" in out
    assert json.loads((folder / MANIFEST).read_text())["files"]


def test_cli_refuses_a_file_as_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("keep me")
    assert main(["lab", str(not_a_folder), "--copy-only"]) == 1
    assert "is a file; give d2lad lab a folder" in capsys.readouterr().err
    assert not_a_folder.read_text() == "keep me"


def test_without_jupyterlab_the_error_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = lab.importlib.util.find_spec
    monkeypatch.setattr(
        lab.importlib.util, "find_spec",
        lambda name, *args: None if name == "jupyterlab" else real_find_spec(name, *args),
    )
    assert main(["lab", str(tmp_path / "work")]) == 1
    err = capsys.readouterr().err
    assert "JupyterLab is not installed" in err
    assert "pip install 'd2lad[notebooks]'" in err
    assert (tmp_path / "work" / lab.START).is_file()  # the copy is there to open another way


def get(url: str, wait: float = 30.0) -> bytes:
    """The body of ``url``, waiting for a server that has printed its address but may not
    accept connections yet."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read()
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(os.name != "posix", reason="stops JupyterLab through its process group")
def test_lab_serves_the_course(tmp_path: Path) -> None:
    """The real command: JupyterLab starts on the copy and opens at the course's index."""
    folder = tmp_path / "work"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "d2lad", "lab", str(folder), "--no-browser", f"--port={port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,
    )
    try:
        log = []
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            log.append(line)
            found = re.search(rf"http://127\.0\.0\.1:{port}/\S*\?token=(\w+)", line)
            url = found and found.group(0)
        assert url, "JupyterLab did not print its address:\n" + "".join(log)
        assert f"/lab/tree/{lab.START}?" in url
        token = re.search(r"token=(\w+)", url).group(1)
        listing = json.loads(get(f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"))
        served = sorted(item["name"] for item in listing["content"])
        assert served == sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
        assert b"JupyterLab" in get(url)
    finally:
        stop_process_group(process, grace=30)
        process.stdout.close()
