"""WSGI entry for production servers, with the shipped gunicorn configuration:
``gunicorn -c python:etwin_lti.gunicorn_conf 'etwin_lti.wsgi:app'`` (README "Running at scale")."""

from etwin_lti.app import create_app
from etwin_lti.start_up_heap import freeze_start_up_heap

app = create_app()
freeze_start_up_heap()
