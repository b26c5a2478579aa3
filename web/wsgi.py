"""WSGI entry for gunicorn: `gunicorn -c python:web.gunicorn_conf -w 4 -b 0.0.0.0:8000 web.wsgi:app`.

Each worker parses the deployed models before it serves (engine.warm_up), so no request waits for a
cold process; ONETHING_WARM_UP=0 skips it.
"""
import os

from web.app import create_app, warm

app = create_app()
if os.environ.get("ONETHING_WARM_UP", "1") != "0":
    warm(app)
