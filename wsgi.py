"""WSGI entry point: `gunicorn wsgi:app` in production, found by `flask` on the command line."""
from impact import create_app

app = create_app()
