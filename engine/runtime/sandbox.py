"""The script sandbox: conditions, scripts, timer and multi-instance expressions from BPMN models.

Models come from department designers, not the operator, so their Python runs restricted:

- compiled with RestrictedPython (`compile_restricted_eval` / `_exec`) and a stricter policy:
  no `import`, `class`, `with`, `finally`, `print`, bytes literals or `except*`; handlers name
  only the exceptions below; names and attributes starting with `_`, frame/generator/code
  attributes (`gi_frame`, `f_globals`...), `mro`, `format`, `format_map`, `encode`,
  `translate` and `maketrans` are refused, as are the names `eval`, `exec`, `compile`, `open`,
  `getattr`, `setattr`, `delattr`, `hasattr`, `globals`, `vars`, `locals`, `dir`, `input`,
  `breakpoint`, `help`, `memoryview`, `super`, `exit`, `quit`;
- run with guarded attribute access (the rules above again, plus: no module is ever returned,
  `date`/`datetime` `now`/`today`/`utcnow` are refused in favour of `now()`), item access,
  iteration, writes, in-place operators and sequence unpacking;
- builtins: len min max sum sorted abs round int float str bool list dict set tuple range
  enumerate zip any all isinstance slice, True False None; `date`, `datetime`, `timedelta`,
  `timezone`; `now()` (timezone-aware UTC, from the `now` callable given to `make_script_engine`, else
  the context clock of `engine.runtime.clock`); Exception ValueError TypeError KeyError IndexError
  ZeroDivisionError ArithmeticError LookupError.

Limits: `range` and every sequence built by `*`, `+`, `%`, f-string widths and the str methods
join/replace/ljust/rjust/center/zfill/expandtabs hold at most MAX_SIZE items; integers built
by `**`, `*`, `<<` at most MAX_INT_BITS bits; each evaluation gets `time_limit` seconds of wall
clock. The policy puts a `_tick_()` call at the top of every loop body, comprehension, function
and lambda, and `_tick_` raises once the deadline (thread-local, so any thread works) has
passed. The time-up signal is a BaseException that sandboxed code cannot catch, and every
later tick raises again. This replaces a sys.settrace trace function on purpose: a trace
function sees no line events in `while True: pass` (one line), is removed for good once it
raises, costs about 1 us per traced call, and would displace coverage's tracer.

After a script, the task data it leaves may hold at most MAX_DATA_ITEMS values (shared references
counted each time), so a case can always be saved.

Known risks left: memory is not limited (a loop that doubles a list can allocate a few
hundred MB before its time is up); a single long C-level call on data within the limits
(sorting a million items) is not interrupted; the sandbox shares the process with the web
server, so isolation is only as good as RestrictedPython plus these guards; str()/repr/f-strings
of a structure holding many references to one big list (built by an append loop) run as one
long C-level call. Run untrusted
models in a worker process with RLIMIT_AS if that matters.
"""
from __future__ import annotations

import ast
import builtins
import copy
import operator
import re
import threading
import time
import types
import warnings
from datetime import date, datetime, timedelta, timezone
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Callable

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import SandboxError

MAX_SIZE = 1_000_000
MAX_INT_BITS = 100_000
MAX_SOURCE = 20_000
FILENAME = "<string>"  # SpiffWorkflow looks for this name in tracebacks to report the failing line

ALLOWED_EXCEPTIONS = frozenset({"Exception", "ValueError", "TypeError", "KeyError", "IndexError",
                                "ZeroDivisionError", "ArithmeticError", "LookupError"})
BANNED_NAMES = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr",
                          "globals", "vars", "locals", "dir", "input", "breakpoint", "help", "memoryview",
                          "super", "exit", "quit", "print"})
BANNED_ATTRIBUTES = frozenset({"mro", "format", "format_map", "encode", "translate", "maketrans"}) | INSPECT_ATTRIBUTES
_CLOCK_ATTRIBUTES = frozenset({"now", "today", "utcnow"})
_SIZED_STR_METHODS = frozenset({"join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs"})
_GUARDED_OPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%"}
_SEQUENCES = (str, list, tuple)


class _TimeUp(BaseException):
    """Raised by `_tick_` after the deadline; a BaseException so that `except Exception` cannot swallow it."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter, with size-guarded operators."""

    def _refuse(self, node: ast.AST, message: str) -> ast.AST:
        self.error(node, message)
        return node

    def visit_Import(self, node: ast.AST) -> ast.AST:
        return self._refuse(node, "'import' is not allowed")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.AST) -> ast.AST:
        return self._refuse(node, "class definitions are not allowed")

    def visit_With(self, node: ast.AST) -> ast.AST:
        return self._refuse(node, "'with' is not allowed")

    visit_AsyncWith = visit_With

    def visit_TryStar(self, node: ast.AST) -> ast.AST:
        return self._refuse(node, "'except*' is not allowed")

    def visit_Try(self, node: ast.Try) -> ast.AST:
        if node.finalbody:
            self.error(node, "'finally' is not allowed")
        for handler in node.handlers:
            names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            if not all(isinstance(n, ast.Name) and n.id in ALLOWED_EXCEPTIONS for n in names):
                self.error(handler, f"handlers may only catch {', '.join(sorted(ALLOWED_EXCEPTIONS))}")
        return super().visit_Try(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bytes):
            return self._refuse(node, "bytes literals are not allowed")
        return super().visit_Constant(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in BANNED_NAMES:
            return self._refuse(node, f"'{node.id}' is not allowed")
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr in BANNED_ATTRIBUTES:
            self.error(node, f"attribute '{node.attr}' is not allowed")
        return super().visit_Attribute(node)

    def visit_While(self, node: ast.While) -> ast.AST:
        node = super().visit_While(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node = super().visit_For(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_tick_", [], node.body), node.body])
        copy_locations(node.body, node.body.values[1])
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _call("_tick_", [], node.iter))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        return _call("_binop_", [ast.Constant(symbol), node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        value = _call("_format_", [node.value, node.format_spec, ast.Constant(node.conversion)], node)
        new = ast.FormattedValue(value=value, conversion=-1, format_spec=None)
        copy_locations(new, node)
        return new


def _call(name: str, args: list[ast.expr], where: ast.AST) -> ast.Call:
    """A located call of a runtime guard."""
    func = ast.Name(name, ast.Load())
    call = ast.Call(func=func, args=args, keywords=[])
    for new in (func, call, *(a for a in args if isinstance(a, ast.Constant))):
        copy_locations(new, where)
    return call


def _tick_statement(where: ast.AST) -> ast.Expr:
    """`_tick_()` as a statement, so that every iteration checks the deadline."""
    statement = ast.Expr(_call("_tick_", [], where))
    copy_locations(statement, where)
    return statement


def _first_error(errors: tuple[str, ...], source: str) -> str:
    """RestrictedPython's 'Line N: msg' as our one-line message."""
    match = re.match(r"Line (\d+|None): (.*)", errors[0], re.S)
    if not match:
        return errors[0]
    line, message = match.groups()
    message = message.strip().rstrip(".")
    return f"{message} at line {line}" if "\n" in source.strip() and line != "None" else message


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> tuple[types.CodeType | None, str | None]:
    """Compiled code, or the reason there is none."""
    if not isinstance(source, str) or mode not in ("eval", "exec"):
        return None, "source must be a string and mode 'eval' or 'exec'"
    if len(source) > MAX_SOURCE:
        return None, f"code is longer than {MAX_SOURCE} characters"
    text = source.strip() if mode == "eval" else source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text, FILENAME, mode)
        except SyntaxError as exc:
            return None, f"invalid syntax at line {exc.lineno or 1}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            return None, f"cannot parse: {exc or type(exc).__name__}"
        compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        result = compile_restricted(text, FILENAME, policy=_Policy)
    if result.errors:
        return None, _first_error(result.errors, text)
    return result.code, None


def check_source(source: str, mode: str) -> str | None:
    """None if `source` compiles in the sandbox, else a one-line reason; never raises."""
    try:
        return _compile(source, mode)[1]
    except Exception as exc:  # noqa: BLE001 - upload checks must report, not crash
        return f"cannot compile: {type(exc).__name__}: {exc}"


# --- runtime guards -------------------------------------------------------------------------

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
    value = {115: str, 114: repr, 97: ascii}.get(conversion, lambda v: v)(value)
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


def _context_now() -> datetime:
    from engine.runtime import clock  # the context clock, so that simulated time reaches conditions too

    return clock.current_clock().now()


_GUARDS: dict[str, Any] = dict(
    _getattr_=_getattr, _getitem_=_getitem, _getiter_=iter, _write_=full_write_guard, _inplacevar_=_inplacevar,
    _unpack_sequence_=guarded_unpack_sequence, _iter_unpack_sequence_=guarded_iter_unpack_sequence,
    _apply_=_apply, _binop_=_binop, _format_=_format, _tick_=_tick)


def _builtins(now: Callable[[], datetime]) -> dict[str, Any]:
    names: dict[str, Any] = dict(
        len=len, min=min, max=max, sum=_sum, sorted=sorted, abs=abs, round=round, int=int, float=float,
        str=str, bool=bool, list=list, dict=dict, set=set, tuple=tuple, range=_range, enumerate=enumerate,
        zip=zip, any=any, all=all, isinstance=isinstance, slice=slice,
        date=date, datetime=datetime, timedelta=timedelta, timezone=timezone, now=now)
    names.update({"True": True, "False": False, "None": None})
    names.update({name: getattr(builtins, name) for name in ALLOWED_EXCEPTIONS})
    return names


def _run(code: types.CodeType, scope: dict[str, Any], time_limit: float) -> Any:
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


def _is_leftover(value: Any) -> bool:
    """Values a script may leave behind that are not data (and would not serialize)."""
    return callable(value) or isinstance(value, (types.ModuleType, range, Iterator))


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """TaskDataEnvironment's semantics, with restricted compilation, guards and a time limit."""

    def __init__(self, environment_globals: dict[str, Any] | None = None, time_limit: float = 1.0,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__(environment_globals)
        self.time_limit = time_limit
        self.builtins = _builtins(now or _context_now)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """The value of `expression` over the task data."""
        code = self._code(expression, "eval")
        scope = copy.copy(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        scope.update(_GUARDS)
        scope["__builtins__"] = self.builtins
        return _run(code, scope, self.time_limit)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run `script` with the task data as its globals; remove what is not data afterwards."""
        external_context = external_context or {}
        self._check_overwrite(context, external_context)
        code = self._code(script, "exec")
        before = set(context)
        context.update(self.globals)
        context.update(external_context)
        context.update(_GUARDS)
        context["__builtins__"] = self.builtins
        try:
            _run(code, context, self.time_limit)
        finally:
            self._clean(context, external_context, before)
        _check_data_size(context)
        return True

    def _code(self, source: str, mode: str) -> types.CodeType:
        code, message = _compile(source, mode)
        if code is None:
            raise SandboxError(message or "cannot compile")
        return code

    def _check_overwrite(self, context: dict[str, Any], external_context: dict[str, Any]) -> None:
        """Like SpiffWorkflow: task data may not hide predefined functions (or our guards)."""
        taken = (set(self.globals) | set(external_context) | set(_GUARDS)) & set(context)
        if taken:
            raise SandboxError(f"task data overwrites predefined names: {', '.join(sorted(taken))}")

    def _clean(self, context: dict[str, Any], external_context: dict[str, Any], before: set[str]) -> None:
        for key in list(context):
            new_private = key.startswith("_") and key not in before
            if (new_private or key in self.globals or key in external_context or key in _GUARDS
                    or _is_leftover(context[key])):
                context.pop(key)


MAX_DATA_ITEMS = 2_000_000  # values in a task's data after a script, shared references counted each time


def _check_data_size(data: dict[str, Any]) -> None:
    """Refuse task data too big to save: `[[0] * 10**6] * 10**6` is small in memory but 10**12 values in JSON."""
    budget = MAX_DATA_ITEMS
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        budget -= 1
        if budget < 0:
            raise SandboxError(f"the script left more than {MAX_DATA_ITEMS} values in the task data; "
                               "the case could not be saved")
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            budget -= len(value)
            if budget < 0:
                raise SandboxError(f"the script left more than {MAX_DATA_ITEMS} values in the task data; "
                                   "the case could not be saved")
            stack.extend(v for v in value if isinstance(v, (dict, list, tuple, set)))


class SandboxScriptEngine(PythonScriptEngine):
    """PythonScriptEngine over a SandboxEnvironment whose errors say what went wrong."""

    def validate(self, expression: str) -> None:
        """Raise SandboxError unless `expression` compiles in the sandbox."""
        message = check_source(expression, "eval")
        if message:
            raise SandboxError(message)

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """As PythonScriptEngine.evaluate, with the cause added to the error."""
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as exc:
            cause = exc.__context__
            if cause is not None and not isinstance(cause, SpiffWorkflowException):
                exc.add_note(f"{type(cause).__name__}: {cause}")
            raise


def make_script_engine(time_limit: float = 1.0, now: Callable[[], datetime] | None = None) -> PythonScriptEngine:
    """A script engine that runs model code in the sandbox, `time_limit` seconds per evaluation."""
    return SandboxScriptEngine(environment=SandboxEnvironment(time_limit=time_limit, now=now))
