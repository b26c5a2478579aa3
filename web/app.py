"""Flask application factory: config, secret key, cookies, security headers, languages, blueprints."""
from __future__ import annotations

import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, current_app, request, session
from flask_babel import gettext as _

if TYPE_CHECKING:
    from engine import EngineContext

LANGUAGES = ("zh", "en")
_context_lock = threading.Lock()
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and part headers, the form's text fields, the CSRF token
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; config comes from ONETHING_* variables, then `test_config`."""
    app = Flask(__name__, instance_path=os.environ.get("ONETHING_INSTANCE_PATH") or str(Path.cwd() / "instance"))
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=None,
        PROCESSES_PATH=str(Path(__file__).resolve().parent.parent / "processes"),
        SECURE_COOKIES=False,
        SESSION_HOURS=12,
    )
    app.config.from_prefixed_env("ONETHING")
    if test_config:
        app.config.update(test_config)
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'onething.db'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _persistent_secret(Path(app.instance_path))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_truthy(app.config["SECURE_COOKIES"]),
        SESSION_COOKIE_NAME="onething_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config["SESSION_HOURS"])),
        MAX_CONTENT_LENGTH=int(app.config.get("MAX_UPLOAD_BYTES") or default_request_limit()),
    )
    _setup_babel(app)
    from web.logs import setup_logging

    setup_logging(app)  # first: a request refused below still gets its id and its log line
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)

    from web.api import bp as api_bp

    app.register_blueprint(api_bp)
    from web.pages import register_pages

    register_pages(app)
    return app


def warm(app: Flask) -> int:
    """Parse the deployed models of the app's database now (engine.warm_up); how many versions."""
    import engine

    with app.app_context():
        return engine.warm_up(ctx())


def default_request_limit() -> int:
    """The largest request: a model and a matter.yaml at the engine's file limit, and the form around them."""
    from engine import MAX_MODEL_BYTES

    return 2 * MAX_MODEL_BYTES + FORM_OVERHEAD


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _persistent_secret(instance: Path) -> str:
    """A random key kept in instance/secret_key (mode 600) so restarts keep sessions; never committed.

    Processes starting together on a fresh instance (gunicorn's workers, `onething` commands) agree on
    one key: each writes its own temporary file and links it into place, which only the first one can;
    the others read the winner's key, never an empty or half-written file."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    if path.is_file() and (key := path.read_text().strip()):
        return key
    key = secrets.token_hex(32)
    tmp = instance / f"secret_key.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        if (kept := path.read_text().strip()):
            return kept
        os.replace(tmp, path)  # an empty file left by an older version: ours replaces it
    finally:
        tmp.unlink(missing_ok=True)
    return key


def choose_language() -> str:
    """The user's choice (session), else the browser's Accept-Language, else Chinese."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "zh"


def _setup_babel(app: Flask) -> None:
    from flask_babel import Babel

    from web.translations import compiled_directory

    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = compiled_directory(Path(app.instance_path))
    Babel(app, locale_selector=choose_language)


def _refuse_nul_bytes() -> None:
    """400 for a NUL character in the path, query or form: PostgreSQL text cannot hold one (it would be a 500).

    The API's JSON bodies are checked where they are parsed (web.api.routing.json_body): reading
    request.form here would consume a body the API still has to read.
    """
    sources = [request.args] if request.blueprint == "api" else [request.args, request.form]
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                      for values in sources for key, value in values.items(multi=True)):
        abort(400, description=_("the request contains a NUL character"))


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":  # pages and API answers may hold personal data: never cache them
        headers.setdefault("Cache-Control", "no-store")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def engine_context(app: Flask | None = None) -> EngineContext:
    """The app's EngineContext (database sessions, clock, sandbox), made once on first use (thread-safe)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    ctx = app.extensions.get("onething")
    if ctx is None:
        with _context_lock:
            ctx = app.extensions.get("onething")
            if ctx is None:
                from engine import EngineContext

                ctx = EngineContext.from_url(app.config["DATABASE_URL"],
                                             script_time_limit=float(app.config.get("SCRIPT_TIME_LIMIT", 1.0)))
                app.extensions["onething"] = ctx
    return ctx


def ctx() -> EngineContext:
    """The EngineContext of the app handling the current request or command."""
    return engine_context()
