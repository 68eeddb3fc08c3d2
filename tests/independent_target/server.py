"""Run the independent target on a free loopback port, in a background thread of this process."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from .app import API_ROOT, IndependentTarget
from .oauth import TOKEN_PATH
from .options import TargetOptions

STARTUP_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningTarget:
    root_url: str
    app: IndependentTarget

    @property
    def base_url(self) -> str:
        return self.root_url + API_ROOT

    @property
    def token_url(self) -> str:
        return self.root_url + TOKEN_PATH


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread (pytest)
        pass


@contextlib.contextmanager
def running_target(options: TargetOptions | None = None, port: int = 0) -> Iterator[RunningTarget]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    root_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = IndependentTarget(options or TargetOptions(), root_url)
    server = _ThreadServer(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the independent target did not start")
        time.sleep(0.05)
    try:
        yield RunningTarget(root_url, app)
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT)
        sock.close()
