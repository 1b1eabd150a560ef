"""The temporary Prefect server's process: uvicorn, bound to the life of the process that started it.

    python -m flows._server_child PARENT_PID UVICORN_ARGS...

On Linux the kernel sends SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG),
even when the parent was killed with SIGKILL; elsewhere, and as a second line, a
watchdog thread sees the parent pid go away within half a second and stops the
server. So no `uvicorn` outlives a `whoclaims run`, however the run ends.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except OSError:
            pass  # the watchdog below still holds
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful stop
        time.sleep(5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def main() -> None:
    parent = int(sys.argv[1])
    _die_with_parent(parent)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *sys.argv[2:]]
    uvicorn_main()


if __name__ == "__main__":
    main()
