"""The sandbox at run time: guarded attribute access, size limits, builtins, and the wall-clock deadline.

Limits: `range` and every sequence built by `*`, `+`, `%`, f-string widths and the str methods
join/replace/ljust/rjust/center/zfill/expandtabs hold at most MAX_SIZE items; integers built by
`**`, `*`, `<<` at most MAX_INT_BITS bits. `run` gives each evaluation a deadline; the `_tick_`
calls the policy puts in every loop, comprehension, function and lambda raise once it has passed.
"""
from __future__ import annotations

import builtins
import operator
import re
import threading
import time
import types
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence

from engine.errors import SandboxError
from engine.runtime.sandbox.policy import ALLOWED_EXCEPTIONS, BANNED_ATTRIBUTES, FILENAME
from engine.runtime.sandbox.workday_timers import working_days_later_from

MAX_SIZE = 1_000_000
MAX_INT_BITS = 100_000
_CLOCK_ATTRIBUTES = frozenset({"now", "today", "utcnow"})
_SIZED_STR_METHODS = frozenset({"join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs"})
_SEQUENCES = (str, list, tuple)
_CONVERSIONS: dict[int, Callable[[Any], str]] = {115: str, 114: repr, 97: ascii}  # f-string !s, !r, !a


class _TimeUp(BaseException):
    """Raised by `_tick_` after the deadline; a BaseException so that `except Exception` cannot swallow it."""

def _check_size(size: int, what: str) -> None:
    if size > MAX_SIZE:
        raise SandboxError(f"{what} would hold {size} items; the limit is {MAX_SIZE}")


def _check_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxError(f"{what} would make an integer of about {bits} bits; the limit is {MAX_INT_BITS}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _guard_percent(template: str, args: Any) -> None:
    for width, precision in _PERCENT_FIELD.findall(template):
        for number in (width, precision):
            if number == "*":
                for arg in args if isinstance(args, tuple) else (args,):
                    if isinstance(arg, int):
                        _check_size(arg, "'%' formatting")
            elif number:
                _check_size(int(number), "'%' formatting")


def _guard(symbol: str, a: Any, b: Any) -> None:
    """Refuse `a <symbol> b` when the result would be too big (one call: keep loops cheap)."""
    if symbol == "+":
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            _check_size(len(a) + len(b), "'+'")
    elif symbol == "*":
        if isinstance(a, int) and isinstance(b, int):
            _check_bits(a.bit_length() + b.bit_length(), "'*'")
        elif isinstance(a, _SEQUENCES) and isinstance(b, int):
            _check_size(len(a) * b, "'*'")
        elif isinstance(b, _SEQUENCES) and isinstance(a, int):
            _check_size(len(b) * a, "'*'")
    elif symbol == "**":
        if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            _check_bits(a.bit_length() * b, "'**'")
    elif symbol == "<<":
        if isinstance(a, int) and isinstance(b, int) and a:
            _check_bits(a.bit_length() + b, "'<<'")
    elif symbol == "%" and isinstance(a, str):
        _guard_percent(a, b)


_APPLY = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod,
          "+=": operator.iadd, "*=": operator.imul, "**=": operator.ipow, "<<=": operator.ilshift,
          "%=": operator.imod, "-=": operator.isub, "/=": operator.itruediv, "//=": operator.ifloordiv,
          ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
          "@=": operator.imatmul}


def _binop(symbol: str, a: Any, b: Any) -> Any:
    _guard(symbol, a, b)
    return _APPLY[symbol](a, b)


def _inplacevar(op: str, a: Any, b: Any) -> Any:
    _guard(op[:-1], a, b)
    return _APPLY[op](a, b)


def _format(value: Any, spec: str, conversion: int) -> str:
    if conversion in _CONVERSIONS:
        value = _CONVERSIONS[conversion](value)
    for number in re.findall(r"\d+", spec):
        _check_size(int(number), "format width")
    return format(value, spec)


def _sized_str_method(text: str, name: str) -> Callable[..., str]:
    """A bound str method that refuses results longer than MAX_SIZE."""
    method = getattr(text, name)

    def call(*args: Any, **kwargs: Any) -> str:
        if name == "join":
            items = list(args[0]) if args else []
            size = sum(len(i) for i in items if isinstance(i, str)) + len(text) * max(len(items) - 1, 0)
            _check_size(size, "str.join")
            return method(items, *args[1:], **kwargs)
        if name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            count = text.count(args[0]) if args[0] else len(text) + 1
            _check_size(len(text) + count * (len(args[1]) - len(args[0])), "str.replace")
        elif name == "expandtabs":
            _check_size(len(text) * (args[0] if args and _is_int(args[0]) else 8), "str.expandtabs")
        elif name != "replace" and args and _is_int(args[0]):
            _check_size(args[0], f"str.{name}")
        return method(*args, **kwargs)

    return call


def _getattr(obj: Any, name: str) -> Any:
    if type(name) is not str or name.startswith("_") or name in BANNED_ATTRIBUTES:
        raise SandboxError(f"attribute '{name}' is not allowed")
    if isinstance(obj, types.ModuleType):
        raise SandboxError("modules are not reachable from scripts")
    is_date = isinstance(obj, date) or (isinstance(obj, type) and issubclass(obj, date))
    if is_date and name in _CLOCK_ATTRIBUTES:
        raise SandboxError(f"'{name}' is not allowed; use now(), which follows the case clock")
    if isinstance(obj, type) and issubclass(obj, str) and name in _SIZED_STR_METHODS:
        raise SandboxError(f"call '{name}' on a string, not on str")
    value = getattr(obj, name)
    if isinstance(value, types.ModuleType):
        raise SandboxError("modules are not reachable from scripts")
    if isinstance(obj, str) and name in _SIZED_STR_METHODS:
        return _sized_str_method(obj, name)
    return value


_deadline = threading.local()  # .at: time.monotonic() deadline of the evaluation running in this thread


def _tick() -> bool:
    """Raise _TimeUp once this thread's evaluation is past its deadline (keeps raising if caught)."""
    deadline = getattr(_deadline, "at", None)
    if deadline is None:
        raise SandboxError("sandboxed code ran outside the sandbox")
    if time.monotonic() > deadline:
        raise _TimeUp()
    return True


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _range(*args: int) -> range:
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:
        size = MAX_SIZE + 1
    _check_size(size, "range")
    return numbers


def _sum(items: Any, start: Any = 0) -> Any:
    if not isinstance(start, (int, float)):
        raise SandboxError("sum() adds numbers only; build lists with a comprehension")
    return sum(items, start)


def context_now() -> datetime:
    from engine.runtime import clock  # the context clock, so that simulated time reaches conditions too

    return clock.current_clock().now()


# What the policy's rewritten code calls; put into the scope of every evaluation.
GUARDS: dict[str, Any] = dict(
    _getattr_=_getattr, _getitem_=_getitem, _getiter_=iter, _write_=full_write_guard, _inplacevar_=_inplacevar,
    _unpack_sequence_=guarded_unpack_sequence, _iter_unpack_sequence_=guarded_iter_unpack_sequence,
    _apply_=_apply, _binop_=_binop, _format_=_format, _tick_=_tick)


def sandbox_builtins(now: Callable[[], datetime] | None = None) -> dict[str, Any]:
    """The builtins model code sees; `now()` is the given callable, else the context clock."""
    names: dict[str, Any] = dict(
        len=len, min=min, max=max, sum=_sum, sorted=sorted, abs=abs, round=round, int=int, float=float,
        str=str, bool=bool, list=list, dict=dict, set=set, tuple=tuple, range=_range, enumerate=enumerate,
        zip=zip, any=any, all=all, isinstance=isinstance, slice=slice,
        date=date, datetime=datetime, timedelta=timedelta, timezone=timezone, now=now or context_now,
        working_days_later=working_days_later_from(now or context_now))
    names.update({"True": True, "False": False, "None": None})
    names.update({name: getattr(builtins, name) for name in ALLOWED_EXCEPTIONS})
    return names


def run(code: types.CodeType, scope: dict[str, Any], time_limit: float) -> Any:
    """eval `code` in `scope`; its `_tick_` calls stop it once `time_limit` seconds have passed."""
    previous = getattr(_deadline, "at", None)
    _deadline.at = time.monotonic() + time_limit
    try:
        return eval(code, scope)  # noqa: S307 - restricted code, guarded scope
    except _TimeUp as stop:
        frames = _walk_traceback(stop.__traceback__)
        lines = [tb.tb_lineno for tb in frames if tb.tb_frame.f_code.co_filename == FILENAME]
        where = f" (at line {lines[-1]})" if lines else ""
        raise SandboxError(f"script exceeded its time limit of {time_limit} s{where}") from None
    except Exception as exc:
        if exc.args and not isinstance(exc.args[0], str):  # SpiffWorkflow concatenates args[0] to a str
            exc.args = (str(exc), *exc.args[1:])
        raise
    finally:
        _deadline.at = previous


def _walk_traceback(tb: types.TracebackType | None) -> Iterator[types.TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next
