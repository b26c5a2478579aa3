"""What model code may say: RestrictedPython's policy made stricter, compiled once per source.

Refused at compile time: `print` in an expression (a script's goes to the case log: `printing`),
`import`, `class`, `with`, `finally`, `except*`, bytes literals, handlers
naming other exceptions than ALLOWED_EXCEPTIONS, the names in BANNED_NAMES and the attributes in
BANNED_ATTRIBUTES (plus every name or attribute starting with `_`). The policy also rewrites the
code so that the runtime guards of `engine.runtime.sandbox.guards` see every loop (`_tick_`),
every size-making operator (`_binop_`) and every format width (`_format_`).
"""
from __future__ import annotations

import ast
import re
import types
import warnings
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations

MAX_SOURCE = 20_000
FILENAME = "<string>"  # SpiffWorkflow looks for this name in tracebacks to report the failing line

ALLOWED_EXCEPTIONS = frozenset({"Exception", "ValueError", "TypeError", "KeyError", "IndexError",
                                "ZeroDivisionError", "ArithmeticError", "LookupError"})
BANNED_NAMES = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr",
                          "globals", "vars", "locals", "dir", "input", "breakpoint", "help", "memoryview",
                          "super", "exit", "quit"})
BANNED_ATTRIBUTES = frozenset({"mro", "format", "format_map", "encode", "translate", "maketrans"}) | INSPECT_ATTRIBUTES
_GUARDED_OPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%"}


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
def compile_source(source: str, mode: str) -> tuple[types.CodeType | None, str | None]:
    """Compiled restricted code, or the reason there is none (cached per source and mode)."""
    if not isinstance(source, str) or mode not in ("eval", "exec"):
        return None, "source must be a string and mode 'eval' or 'exec'"
    if len(source) > MAX_SOURCE:
        return None, f"code is longer than {MAX_SOURCE} characters"
    text = source.strip() if mode == "eval" else source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text, FILENAME, mode)
        except SyntaxError as exc:
            return None, f"invalid syntax at line {exc.lineno or 1}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            return None, f"cannot parse: {exc or type(exc).__name__}"
        if mode == "eval" and any(isinstance(n, ast.Name) and n.id == "print" for n in ast.walk(tree)):
            return None, "'print' is not allowed in an expression (in a script task it writes to the case log)"
        compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        result = compile_restricted(text, FILENAME, policy=_Policy)
    if result.errors:
        return None, _first_error(result.errors, text)
    return result.code, None


def check_source(source: str, mode: str) -> str | None:
    """None if `source` compiles in the sandbox, else a one-line reason; never raises."""
    try:
        return compile_source(source, mode)[1]
    except Exception as exc:  # noqa: BLE001 - upload checks must report, not crash
        return f"cannot compile: {type(exc).__name__}: {exc}"
