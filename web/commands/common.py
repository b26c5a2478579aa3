"""Shared by the commands: the engine context, clean one-line errors, JSON options."""
from __future__ import annotations

import functools
import json
import sys
from typing import Any, Callable

import click
from flask.cli import with_appcontext

from engine import ModelError, OneThingError




def clean_errors(func: Callable) -> Callable:
    """Run inside the app context; turn engine errors into one clear line (or one per problem), exit 1."""

    @with_appcontext
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ModelError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        except OneThingError as exc:
            click.echo(f"error: {exc.message}", err=True)
            for field, messages in exc.fields.items():
                click.echo(f"  {field}: {'; '.join(messages)}", err=True)
            sys.exit(1)

    return wrapper


def json_object(text: str | None, what: str) -> dict[str, Any] | None:
    """Parse a --data style option; a clear error names the option and the position."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", param_hint=what)
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object, e.g. '{\"name\": \"value\"}'", param_hint=what)
    return value


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
