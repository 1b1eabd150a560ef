"""A real schedule: `prefect server start`, `whoclaims serve --interval`, new episodes, a server restart.

Starts a Prefect server on a free loopback port with its own PREFECT_HOME, serves the
batch deployment every few seconds (the extraction stage is the model-free fake, put
into every process of the deployment by tests/fake_site/sitecustomize.py; everything
else is real: server, scheduler, runner, flow-run subprocesses, storage, comparison),
and checks that scheduled runs process a new episode, skip the unchanged one and run
the comparison after the batch; then restarts the server and checks the next run still
happens. Nothing it started may outlive it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from whoclaims.storage import Store

pytestmark = [pytest.mark.flows, pytest.mark.schedule]
REPO = Path(__file__).resolve().parents[1]
INTERVAL_S = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _episode(folder: Path, name: str) -> None:
    (folder / f"{name}.txt").write_text(f"HOST: Welcome to {name}.\nGUEST: Thank you.\n", encoding="utf-8")


class _Processes:
    """Processes started in their own sessions; on close, every one of them and its children is gone."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []
        self.seen: set[psutil.Process] = set()

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append(process)
        return process

    def remember_children(self) -> None:
        for process in self.started:
            with contextlib.suppress(psutil.Error):
                self.seen.update(psutil.Process(process.pid).children(recursive=True))

    def stop(self, process: subprocess.Popen) -> None:
        self.remember_children()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def survivors(self, within: float = 15.0) -> list[str]:
        deadline = time.time() + within
        while True:
            alive = [p for p in self.seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            if not alive or time.time() > deadline:
                return [" ".join(p.cmdline())[:120] for p in alive]
            time.sleep(0.3)


def _start_server(processes: _Processes, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = processes.start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                              "--port", str(port), "--no-ui"], env, log)
    deadline = time.time() + 120
    while time.time() < deadline:
        assert server.poll() is None, log.read_text()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.5)
    raise AssertionError(f"prefect server did not start: {log.read_text()[-2000:]}")


def _wait_for_run(out: Path, episode: str, *, after: float, timeout: float, logs: list[Path]) -> dict:
    """The first manifest of a run that finished after `after` and processed `episode`."""
    deadline = time.time() + timeout
    runs = out / "_state" / "runs"
    while time.time() < deadline:
        for path in sorted(runs.glob("*.json")) if runs.is_dir() else []:
            manifest = json.loads(path.read_text())
            done = {e["episode_id"] for e in manifest["episodes"] if e["status"] == "done"}
            if path.stat().st_mtime >= after and episode in done:
                return manifest
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
    raise AssertionError(f"no scheduled run processed {episode} within {timeout} s\n{tails}")


def _comparison_written_after(out: Path, moment: float, *, timeout: float = 30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        files = list((out / "compare").rglob("*.parquet")) if (out / "compare").is_dir() else []
        if files and min(f.stat().st_mtime for f in files) >= moment:
            return True
        time.sleep(0.5)
    return False


def test_a_served_schedule_runs_new_episodes_and_survives_a_server_restart(tmp_path):
    port = _free_port()
    home = tmp_path / "prefect-home"
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    _episode(inputs, "ep0")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    prefect_env = {
        "PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
        # The scheduler creates runs every 2 s and the runner polls every 2 s (defaults 60 s and 10 s).
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2", "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    server_env = {**base_env, **prefect_env}
    serve_env = {**server_env, "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "fake_site"), str(REPO)])}
    processes = _Processes()
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    try:
        server = _start_server(processes, server_env, port, server_log)
        started = time.time()
        processes.start([sys.executable, "-c", "from whoclaims.cli import main; main()", "serve", str(inputs),
                         "--out", str(out), "--interval", str(INTERVAL_S)], serve_env, serve_log)
        first = _wait_for_run(out, "ep0", after=started, timeout=90, logs=[serve_log, server_log])
        assert first["counts"]["failed"] == 0

        dropped = time.time()
        _episode(inputs, "ep1")
        second = _wait_for_run(out, "ep1", after=dropped, timeout=60, logs=[serve_log, server_log])
        statuses = {e["episode_id"]: e["status"] for e in second["episodes"]}
        assert statuses == {"ep0": "skipped", "ep1": "done"}
        assert sorted(Store(out).episode_ids()) == ["ep0", "ep1"]
        assert "Welcome to ep1" in Store(out).read("texts", episode_id="ep1")["text"][0]
        finished = Path(out / "_state" / "runs" / f"{second['run_id']}.json").stat().st_mtime
        assert _comparison_written_after(out, finished - 1), "no comparison after the scheduled batch"

        processes.remember_children()
        processes.stop(server)
        time.sleep(INTERVAL_S)  # the runner polls a server that is gone
        _start_server(processes, server_env, port, server_log.with_name("server2.log"))
        restarted = time.time()
        _episode(inputs, "ep2")
        third = _wait_for_run(out, "ep2", after=restarted, timeout=90,
                              logs=[serve_log, server_log.with_name("server2.log")])
        assert {e["episode_id"]: e["status"] for e in third["episodes"]} == {
            "ep0": "skipped", "ep1": "skipped", "ep2": "done"}
    finally:
        for process in reversed(processes.started):
            processes.stop(process)
    assert processes.survivors() == [], "processes outlived the test"
