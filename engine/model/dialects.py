"""JUEL (`${amount > 1000}`, Camunda 7, Flowable, Activiti) and FEEL (`= amount > 1000`, Zeebe) expressions as Python.

A small, real parser for the subset that process models use in conditions, timers and loops, translated into the
Python the sandbox already runs; the raw text is never evaluated. The subset (docs/modeling.md):

    literals         1  2.5  'text'  "text"  true  false  null
    variables        amount   applicant.age   docs['id']   execution.getVariable('x')  (JUEL)
                     (a name Python code may not use, `input`, reads case_variable('input'))
    comparison       == != < > <= >=   eq ne lt gt le ge (JUEL)   = (FEEL equality)
    logic            && || !   and or not   not(x) (FEEL)
    arithmetic       + - * / %   div mod (JUEL)
    empty            empty x (JUEL): x is null, '', an empty list or an empty object
    choice           c ? a : b (JUEL)   if c then a else b (FEEL)

Anything else (function calls, method calls, lambdas, FEEL ranges, `in`, paths with spaces...) raises
`Unsupported` with the reason, which `check` reports at the element's line.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from engine.runtime.sandbox.policy import BANNED_NAMES

__all__ = ["Unsupported", "dialect_of", "to_python"]


class Unsupported(ValueError):
    """The expression is outside the translated subset; the message says why."""


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>!?:().,\[\]=])
""", re.VERBOSE)

_WORDS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%",
          "and": "&&", "or": "||", "not": "!"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_QUANTIFIERS = "FEEL quantifiers (some, every, satisfies) are not supported"
_UNSUPPORTED_WORDS = {"instanceof": "instanceof is not supported", "in": "'in' is not supported",
                      "between": "FEEL ranges (between) are not supported", "some": _QUANTIFIERS,
                      "every": _QUANTIFIERS, "satisfies": _QUANTIFIERS, "for": "FEEL loops are not supported",
                      "function": "FEEL functions are not supported"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    at: int


def _tokens(source: str, dialect: str) -> list[_Tok]:
    found, at = [], 0
    while at < len(source):
        match = _TOKEN.match(source, at)
        if match is None:
            raise Unsupported(f"unexpected character {source[at]!r} at column {at + 1}")
        kind, text = match.lastgroup or "", match.group()
        if kind == "name" and text in _WORDS and (dialect == "juel" or text in ("and", "or")):
            kind, text = "op", _WORDS[text]
        if kind != "space":
            found.append(_Tok(kind, text, at))
        at = match.end()
    found.append(_Tok("end", "", len(source)))
    return found


class _Parser:
    """Recursive descent over the tokens; each method returns Python source, fully parenthesised."""

    def __init__(self, source: str, dialect: str) -> None:
        self.toks, self.i, self.dialect = _tokens(source, dialect), 0, dialect

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self, text: str | None = None, kind: str | None = None) -> _Tok | None:
        tok = self.tok
        if (text is None or tok.text == text) and (kind is None or tok.kind == kind) and tok.kind != "end":
            self.i += 1
            return tok
        return None

    def expect(self, text: str) -> None:
        if self.take(text) is None:
            raise Unsupported(f"expected {text!r} at column {self.tok.at + 1}, found {self.tok.text or 'the end'!r}")

    def whole(self) -> str:
        result = self.choice()
        if self.tok.text in _UNSUPPORTED_WORDS:
            raise Unsupported(_UNSUPPORTED_WORDS[self.tok.text])
        if self.tok.kind != "end":
            raise Unsupported(f"unexpected {self.tok.text!r} at column {self.tok.at + 1}")
        return result

    def choice(self) -> str:
        if self.dialect == "feel" and self.take("if", "name"):
            test = self.choice()
            self.expect("then")
            yes = self.choice()
            self.expect("else")
            return f"(({yes}) if ({test}) else ({self.choice()}))"
        test = self.either()
        if self.dialect == "juel" and self.take("?"):
            yes = self.choice()
            self.expect(":")
            return f"(({yes}) if ({test}) else ({self.choice()}))"
        return test

    def either(self) -> str:
        left = self.both()
        while self.take("||"):
            left = f"({left} or {self.both()})"
        return left

    def both(self) -> str:
        left = self.negation()
        while self.take("&&"):
            left = f"({left} and {self.negation()})"
        return left

    def negation(self) -> str:
        if self.take("!"):
            return f"(not {self.negation()})"
        if self.dialect == "feel" and self.tok.text == "not" and self.toks[self.i + 1].text == "(":
            self.i += 2
            inner = self.choice()
            self.expect(")")
            return f"(not {inner})"
        return self.comparison()

    def comparison(self) -> str:
        left = self.sum()
        op = self.tok.text if self.tok.kind == "op" else ""
        if op in _COMPARE or (op == "=" and self.dialect == "feel"):
            self.i += 1
            right = self.sum()
            if self.tok.kind == "op" and (self.tok.text in _COMPARE or self.tok.text == "="):
                raise Unsupported(f"chained comparison at column {self.tok.at + 1}: add parentheses or && / and")
            return f"({left} {'==' if op == '=' else op} {right})"
        if op == "=":
            raise Unsupported(f"'=' at column {self.tok.at + 1}: JUEL compares with == (assignment is not allowed)")
        return left

    def sum(self) -> str:
        left = self.product()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.take().text  # type: ignore[union-attr]
            left = f"({left} {op} {self.product()})"
        return left

    def product(self) -> str:
        left = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%", "**"):
            op = self.take().text  # type: ignore[union-attr]
            if op == "**" and self.dialect != "feel":
                raise Unsupported("'**' is not JUEL")
            left = f"({left} {op} {self.unary()})"
        return left

    def unary(self) -> str:
        if self.take("-"):
            return f"(-{self.unary()})"
        if self.dialect == "juel" and self.take("empty", "name"):
            return f"({self.unary()} in (None, '', [], {{}}))"
        return self.postfix()

    def postfix(self) -> str:
        tok = self.take()
        if tok is None:
            raise Unsupported("the expression ends too early")
        if tok.kind == "number":
            return tok.text
        if tok.kind == "string":
            return repr(_unquote(tok.text))
        if tok.text == "(":
            inner = self.choice()
            self.expect(")")
            return inner
        if tok.kind != "name":
            raise Unsupported(f"unexpected {tok.text!r} at column {tok.at + 1}")
        if tok.text in _LITERALS:
            return _LITERALS[tok.text]
        if tok.text in _UNSUPPORTED_WORDS:
            raise Unsupported(_UNSUPPORTED_WORDS[tok.text])
        return self.path(tok)

    def path(self, tok: _Tok) -> str:
        if tok.text == "execution" and self.tok.text == ".":
            return self.variable_call(tok)
        result = _variable(tok)
        while True:
            if self.take("."):
                part = self.take(kind="name")
                if part is None:
                    raise Unsupported(f"a name must follow '.' at column {self.tok.at + 1}")
                if self.tok.text == "(":
                    raise Unsupported(f"method calls are not supported ({part.text}(...) at column {part.at + 1})")
                result = f"{result}[{part.text!r}]"
            elif self.take("["):
                key = self.take(kind="string") or self.take(kind="number")
                if key is None:
                    raise Unsupported(f"only a literal key may stand in [...] (column {self.tok.at + 1})")
                self.expect("]")
                result = f"{result}[{repr(_unquote(key.text)) if key.kind == 'string' else key.text}]"
            elif self.tok.text == "(":
                raise Unsupported(f"function calls are not supported ({tok.text}(...) at column {tok.at + 1})")
            else:
                return result

    def variable_call(self, tok: _Tok) -> str:
        """`execution.getVariable('name')` (Camunda, Flowable, Activiti) is the variable `name`."""
        self.expect(".")
        method = self.take(kind="name")
        if method is None or method.text != "getVariable":
            raise Unsupported(f"execution.{method.text if method else ''}(...) is not supported (column {tok.at + 1});"
                              " only execution.getVariable('name')")
        self.expect("(")
        name = self.take(kind="string")
        if name is None:
            raise Unsupported("execution.getVariable takes the variable's name in quotes")
        self.expect(")")
        return _variable(_Tok("name", _unquote(name.text), name.at))


def _variable(tok: _Tok) -> str:
    """The Python reading the case variable `tok`: its name, or `case_variable('input')` for a name the sandbox
    refuses in Python (`input`, `open`, `_x`...): the sandbox's accessor reads that variable from the case data."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok.text):
        raise Unsupported(f"variable name {tok.text!r} at column {tok.at + 1} is not a Python name")
    if keyword.iskeyword(tok.text) or tok.text in ("True", "False", "None"):
        raise Unsupported(f"variable name {tok.text!r} is a Python keyword")
    if tok.text in BANNED_NAMES or tok.text.startswith("_"):
        return f"case_variable({tok.text!r})"
    return tok.text


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


_JUEL = re.compile(r"\s*[$#]\{(.*)\}\s*", re.DOTALL)
FEEL_LANGUAGES = {"feel", "http://www.omg.org/spec/feel/20140401", "https://www.omg.org/spec/dmn/20191111/feel/"}
JUEL_LANGUAGES = {"juel", "http://java.sun.com/products/jsp/", "${}"}


def dialect_of(source: str, language: str | None = None) -> str:
    """"juel", "feel" or "python": by the element's `language` if it names one, else by the text's shape."""
    lang = (language or "").strip().lower()
    if lang in FEEL_LANGUAGES:
        return "feel"
    if _JUEL.fullmatch(source) or lang in JUEL_LANGUAGES or "${" in source or "#{" in source:
        return "juel"
    if source.lstrip().startswith("=") and not source.lstrip().startswith("=="):
        return "feel"
    return "python"


def to_python(source: str, dialect: str) -> str:
    """The Python of a JUEL or FEEL expression; raises Unsupported with the reason."""
    if dialect == "juel":
        match = _JUEL.fullmatch(source)
        if match is None:
            raise Unsupported("a JUEL expression is one ${...}; text around it (a composite expression) is "
                              "not supported")
        body = match.group(1)
        if "${" in body or "#{" in body:
            raise Unsupported("a JUEL expression is one ${...}; several in one text are not supported")
    elif dialect == "feel":
        body = source.strip()
        body = body[1:] if body.startswith("=") else body
    else:
        raise ValueError(f"not a dialect to translate: {dialect!r}")
    if not body.strip():
        raise Unsupported("the expression is empty")
    return _Parser(body, dialect).whole()
