"""Shared by the commands: the app and its engine context, one style of errors, JSON options.

Every command refuses the same way: `error: <what is wrong>` on stderr (then `  field: message` lines for
invalid fields), or one `file:line: element: message` line per problem of a model, and exit status 1.

Command modules import only click and the engine's facade when they load: `onething --help` loads them
all. Flask, the web app and the engine's use cases are imported when a command runs (`with_app`, `ctx`,
`setting`), so a command that needs no database (`check`, `layout`...) never pays for them.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from engine import ModelError, OneThingError

if TYPE_CHECKING:
    from engine import EngineContext


class CommandError(click.ClickException):
    """A command's refusal: its lines go to stderr as they are, and the exit status is 1."""

    exit_code = 1

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            click.echo(line, file=file, err=file is None)


def fail(message: str) -> NoReturn:
    """Stop the command with `error: <message>`."""
    raise CommandError([f"error: {message}"])


def problems(found: list[Any]) -> CommandError:
    """The refusal for problems of models: one `file:line: element: message` line each."""
    return CommandError([str(problem) for problem in found])


def refusal(exc: OneThingError | OSError) -> CommandError:
    """The refusal for an engine error (a model's problems, or the message and the invalid fields) or a file error."""
    if isinstance(exc, ModelError):
        return problems(exc.problems)
    if isinstance(exc, OSError):
        return CommandError([f"error: {exc.filename}: {exc.strerror}"])
    return CommandError([f"error: {exc.message}"] + [f"  {field}: {'; '.join(messages)}"
                                                     for field, messages in exc.fields.items()])


def app_context() -> None:
    """Enter the web app's context for the rest of the command, unless one is active.

    The app is `create_app()` (config from ONETHING_* variables), or the one of a `ScriptInfo` passed as
    the click context's object (what Flask's test CLI runner does).
    """
    from flask import current_app
    from flask.cli import ScriptInfo

    if current_app:
        return
    context = click.get_current_context()
    info = context.find_object(ScriptInfo)
    if info is None:
        from web.app import create_app

        info = ScriptInfo(create_app=create_app)
    context.with_resource(info.load_app().app_context())


def with_app(func: Callable) -> Callable:
    """Run the command inside the web app's context (`app_context`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app_context()
        return func(*args, **kwargs)

    return wrapper


def clean_errors(func: Callable) -> Callable:
    """Run inside the app context; engine errors and unreadable files become the command's refusal."""

    @with_app
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (OneThingError, OSError) as exc:
            raise refusal(exc) from None

    return wrapper


def ctx() -> EngineContext:
    """The engine context of the app the command runs in (entering the app's context if need be)."""
    app_context()
    from web.app import ctx as app_ctx

    return app_ctx()


def setting(name: str) -> Any:
    """A config value of the app the command runs in (entering the app's context if need be)."""
    app_context()
    from flask import current_app

    return current_app.config.get(name)


def json_object(text: str | None, what: str) -> dict[str, Any] | None:
    """Parse a --data style option; a clear error names the option and the position."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        raise click.BadParameter(f"not valid JSON ({where})", param_hint=what) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object, e.g. '{\"name\": \"value\"}'", param_hint=what)
    return value


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)
