"""WSGI entry for production servers, with the shipped gunicorn configuration:
``gunicorn -c python:etwin_lti.gunicorn_conf 'etwin_lti.wsgi:app'`` (README "Running at scale")."""

from etwin_lti.app import create_app

app = create_app()
