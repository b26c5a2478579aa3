"""gunicorn settings for OneThing: `gunicorn -c python:web.gunicorn_conf -w 4 -b 127.0.0.1:8000 web.wsgi:app`.

A worker whose master died (`kill -9`, the OOM killer) checks its parent only when no connection is
waiting, so under load an orphaned sync worker goes on serving, is never replaced when it dies, and
keeps the port, so a restarted gunicorn cannot bind it (tests/web/test_crash.py saw three orphans
still serving 5 s after the master died). Here each worker asks Linux to kill it when its parent
dies (PR_SET_PDEATHSIG), so the port is free for the restarted service at once. SIGKILL, not SIGTERM:
a worker still booting (parsing the models) would take SIGTERM only once booted, holding the port
for seconds meanwhile; a request in hand is lost as in any crash (its transaction is all or nothing,
the client gets no answer and may retry). docs/operations.md ("Service setup") adds the service
manager's own guard (systemd's KillMode=control-group).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def post_fork(server: Any, worker: Any) -> None:
    """In the new worker: SIGKILL when the master dies; die now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        server.log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
        return
    if os.getppid() != worker.ppid:  # the master died between fork and prctl
        os.kill(os.getpid(), signal.SIGKILL)
