"""The temporary Prefect server of one `whoclaims run`, owned by that run.

Prefect would start its own temporary server on the first flow call; that
server is a plain child process, so it outlives a run killed with SIGKILL. This
one runs through `flows._server_child`, which dies with its parent, and is
stopped at exit after Prefect has flushed its logs and events to it (atexit
handlers run last-registered first, and this one is registered before any
flow runs). With PREFECT_API_URL set, the user's server is used and nothing
is started.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings


class ParentBoundServer(SubprocessASGIServer):
    """Prefect's temporary server, started through `flows._server_child` so that it dies with this process."""

    def _run_uvicorn_command(self) -> subprocess.Popen:
        import prefect

        return subprocess.Popen(
            args=[
                sys.executable, "-m", "flows._server_child", str(os.getpid()),
                "--app-dir", str(prefect.__module_path__.parent), "--factory", "prefect.server.api.server:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
            ],
            env={
                **os.environ,
                "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
                # The child must import `flows` from wherever this process did.
                "PYTHONPATH": os.pathsep.join(filter(None, [_repository_root(), os.environ.get("PYTHONPATH")])),
            },
            stdin=subprocess.DEVNULL,
        )


def _repository_root() -> str:
    import flows

    return os.path.dirname(os.path.dirname(os.path.abspath(flows.__file__)))


@contextlib.contextmanager
def temporary_server() -> Iterator[ParentBoundServer | None]:
    """Start a temporary server for this process (unless PREFECT_API_URL names one) and point Prefect at it."""
    if PREFECT_API_URL.value():
        yield None
        return
    server = ParentBoundServer()
    atexit.register(server.stop)
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield server


def stop_now(server: ParentBoundServer | None) -> None:
    """Stop the server at once (an interrupted run leaves without waiting for Prefect)."""
    if server is not None:
        with contextlib.suppress(Exception):
            server.stop()
