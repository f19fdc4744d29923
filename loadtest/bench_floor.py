"""The floor app in its own uvicorn process, on a free port, for the length of a benchmark."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from loadtest.floor_app import FloorConfig
from runtime.embedded_redis import free_port

RAY_WORKER_NICENESS = 15  # Ray's default `worker_niceness`


class FloorServer:
    """`with FloorServer(config, work_dir) as base_url:` serves the floor until exit."""

    def __init__(self, config: FloorConfig, work_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._config_file = work_dir / "floor.json"
        self._config = config
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> str:
        self._config_file.write_text(self._config.to_json())
        self._config_file.chmod(0o600)
        # Ray runs its workers (Serve, call actors) at niceness 15: so does the floor, so
        # neither side is favoured when the machine is shared.
        command = ["nice", "-n", str(RAY_WORKER_NICENESS), sys.executable, "-m",
                   "loadtest.floor_app", "--config",
                   str(self._config_file), "--port", str(self.port)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        self._wait_ready()
        return self.base_url

    def _wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the floor app exited with code {self._process.returncode}")
            try:
                if httpx.get(self.base_url + "/docs", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"the floor app did not answer on port {self.port}")

    def __exit__(self, *exc: object) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
