"""For tests that start a server of their own (JupyterLab): a free port and a clean stop.

>>> 0 < free_port() < 65536
True
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_group(server: subprocess.Popen, grace: float) -> None:
    """Stop a server started with ``start_new_session=True``, and its children (kernels):
    SIGTERM to its process group, SIGKILL if it is still there after ``grace`` seconds."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
