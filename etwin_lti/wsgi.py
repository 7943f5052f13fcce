"""WSGI entry for production servers: ``gunicorn 'etwin_lti.wsgi:app'``."""

from etwin_lti.app import create_app

app = create_app()
