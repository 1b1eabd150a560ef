"""Prefect flows: the orchestration edge. Every task body is one call into plain Python.

Importing this package sets quiet, offline defaults for Prefect before Prefect
itself is imported (analytics off, a generous start-up timeout for the
temporary local server); values already in the environment win.
"""

from __future__ import annotations

import os

_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_UI_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
for _name, _value in _DEFAULTS.items():
    os.environ.setdefault(_name, _value)
