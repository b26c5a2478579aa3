"""WSGI entry for gunicorn: `gunicorn -w 4 -b 0.0.0.0:8000 web.wsgi:app`."""
from web.app import create_app

app = create_app()
