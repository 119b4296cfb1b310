"""Entry point for WSGI servers: `gunicorn wsgi:app`."""

from caseapp import create_app

app = create_app()
