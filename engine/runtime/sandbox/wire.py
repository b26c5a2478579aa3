"""What crosses the pipe between the parent and a script worker: length-prefixed frames, and data-only pickles.

Replies are unpickled by `DataUnpickler`, which builds containers, scalars, date/time values, Decimal,
UUID and ZoneInfo and refuses every other class: a worker whose sandbox was escaped still cannot make
the parent construct objects or call functions of its choosing.
"""
from __future__ import annotations

import decimal
import io
import os
import pickle
import select
import struct
import time
import uuid
import zoneinfo
from datetime import date, datetime, time as day_time, timedelta, timezone
from typing import Any

from engine.errors import SandboxError

_HEADER = struct.Struct(">Q")

_DATA_ATTRIBUTES = {(zoneinfo.ZoneInfo, "_unpickle")} | {(uuid.SafeUUID, member.name) for member in uuid.SafeUUID}


def _data_getattr(owner: Any, name: str) -> Any:
    """The `getattr` of pickles: only how ZoneInfo and SafeUUID values rebuild themselves."""
    if (owner, name) not in _DATA_ATTRIBUTES:
        raise SandboxError(f"the script left a value that is not data ({owner!r}.{name})")
    return getattr(owner, name)


_DATA_CLASSES: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): complex, ("builtins", "getattr"): _data_getattr, ("builtins", "range"): range,
    ("datetime", "datetime"): datetime, ("datetime", "date"): date, ("datetime", "time"): day_time,
    ("datetime", "timedelta"): timedelta, ("datetime", "timezone"): timezone,
    ("decimal", "Decimal"): decimal.Decimal, ("uuid", "UUID"): uuid.UUID, ("uuid", "SafeUUID"): uuid.SafeUUID,
    ("zoneinfo", "ZoneInfo"): zoneinfo.ZoneInfo,
}


class DataUnpickler(pickle.Unpickler):
    """Unpickles containers, scalars, date/time values, Decimal, UUID and ZoneInfo; refuses every other class."""

    def find_class(self, module: str, name: str) -> Any:
        found = _DATA_CLASSES.get((module, name))
        if found is None:
            raise SandboxError(f"the script left a value that is not data ({module}.{name})")
        return found


def load_data(payload: bytes) -> Any:
    """The data pickled in `payload`, built by DataUnpickler."""
    return DataUnpickler(io.BytesIO(payload)).load()


def write_frame(fd: int, payload: bytes) -> None:
    """Write one length-prefixed frame (os.write releases the GIL while it blocks)."""
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int, deadline: float | None = None, limit: int | None = None) -> bytes | None:
    """One frame from `fd`, None at EOF; TimeoutError after `deadline` (time.monotonic()); waits in poll()."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    buffer = bytearray()
    need = _HEADER.size
    header_read = False
    while True:
        while len(buffer) < need:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
                    raise TimeoutError
            chunk = os.read(fd, min(need - len(buffer), 1 << 20))
            if not chunk:
                return None
            buffer += chunk
        if header_read:
            return bytes(buffer[_HEADER.size:])
        size = _HEADER.unpack(buffer)[0]
        if limit is not None and size > limit:
            raise OverflowError(size)
        need += size
        header_read = True
