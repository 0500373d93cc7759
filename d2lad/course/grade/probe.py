"""The probe cell: the last cell of a rebuilt notebook, the only grader code in the kernel.

For each part it evaluates ``part.probe`` in the notebook's namespace, calls the result on the
inputs the grader chose when the part has inputs, and writes what it found, as data, one JSON
line per part, to a file the grader chose. It judges nothing: the verdicts are computed in
the grading process. A learner's code that fails, a value that cannot travel, a value too
large: each becomes that part's ``error``. The file is written and flushed part by part, so a
part that hangs or kills the kernel costs only the parts not read yet.

>>> import json, tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "probe.jsonl"
>>> request = make_request([{"id": "1", "probe": "double", "args": [3]},
...                         {"id": "2", "probe": "missing", "args": None}])
>>> probe_here({"double": lambda x: 2 * x}, path, request)
>>> [json.loads(line)["value" if i == 0 else "error"]
...  for i, line in enumerate(path.read_text().splitlines())]
[6, "NameError: name 'missing' is not defined"]
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from d2lad.course.grade import values

#: Largest JSON line a part's value may take (characters); a larger value is not graded.
VALUE_CAP = 2_000_000


def _d2lad_grader_probe(namespace: dict, path: str, request: str, values_source: str) -> None:
    import json
    import time

    codec: dict = {"__name__": "_d2lad_grader_values"}
    exec(values_source, codec)
    to_data, from_data = codec["to_data"], codec["from_data"]
    wanted = json.loads(request)
    cap = int(wanted["cap"])
    with open(path, "w", encoding="utf-8") as out:
        for index, part in enumerate(wanted["parts"]):
            started = time.perf_counter()
            try:
                value = eval(part["probe"], namespace)
                if part["args"] is not None:
                    value = value(*from_data(part["args"], tensors=True))
                record = {"value": to_data(value)}
            except BaseException as err:  # noqa: BLE001 - the learner's failure is a verdict
                try:
                    text = f"{type(err).__name__}: {err}"
                except BaseException:  # noqa: BLE001 - a str() that raises
                    text = type(err).__name__
                record = {"error": text[:300]}
            record.update(index=index, part=part["id"],
                          seconds=round(time.perf_counter() - started, 4))
            try:
                line = json.dumps(record)
            except BaseException as err:  # noqa: BLE001
                line = json.dumps({"index": index, "part": part["id"],
                                   "error": f"the value cannot be read: {type(err).__name__}"})
            if len(line) > cap:
                line = json.dumps({"index": index, "part": part["id"],
                                   "error": f"the value is too large to grade ({len(line)} "
                                            "characters as JSON)"})
            out.write(line + "\n")
            out.flush()


def make_request(parts: list[dict], cap: int = VALUE_CAP) -> str:
    """The probe's instructions as JSON: per part its ``id``, ``probe`` and ``args`` (data
    from :func:`values.to_data`, or None to read the value itself).

    >>> make_request([{"id": "01.1", "probe": "x", "args": None}], cap=10)
    '{"cap": 10, "parts": [{"id": "01.1", "probe": "x", "args": null}]}'
    """
    return json.dumps({"cap": cap, "parts": parts})


def _values_source() -> str:
    return inspect.getsource(values)


def probe_here(namespace: dict, path: str | Path, request: str) -> None:
    """Run the probe in this process on ``namespace`` (what the probe cell does in a kernel)."""
    _d2lad_grader_probe(namespace, str(path), request, _values_source())


def probe_cell_source(path: str | Path, request: str) -> str:
    """The source of the probe cell that reads the answers into ``path``.

    >>> src = probe_cell_source("/tmp/p.jsonl", make_request([]))
    >>> compile(src, "probe", "exec") is not None
    True
    """
    function = inspect.getsource(_d2lad_grader_probe)
    return (
        "# d2lad grader: reads the answers; the grading process judges them.\n"
        f"{function}\n"
        f"_d2lad_grader_probe(globals(), {str(path)!r}, {request!r},\n"
        f"                    {_values_source()!r})\n"
        "del _d2lad_grader_probe\n"
    )


def read_reports(path: str | Path, limit: int = 64_000_000) -> dict[int, Any]:
    """What the probe wrote: part index -> the first record for it.

    The probe empties the file before it writes, part by part, so its records come first;
    anything appended later (by a learner's thread, say) cannot replace them. Lines that are
    not records (bad JSON, no index) are ignored; at most ``limit`` characters are read.

    >>> read_reports("/no/such/file")
    {}
    """
    found: dict[int, Any] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(limit)
    except OSError:
        return found
    for line in text.splitlines():
        try:
            record = json.loads(line)
            index = int(record["index"])
        except (ValueError, KeyError, TypeError):
            continue
        found.setdefault(index, record)
    return found
