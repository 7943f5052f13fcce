"""``etwin-lti worker``: run the task queue's consumer (score passback, roster sync, Moodle
polling) until SIGINT/SIGTERM. With ``ETWIN_QUEUE=redis`` run one per machine, as many as needed;
on the embedded default ``etwin-lti serve`` already runs one in-process, and so does one web
worker under the shipped gunicorn configuration (``etwin_lti.gunicorn_conf``). Run it after
``etwin-lti db upgrade`` (it does not migrate: several workers must not race to)."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.start_up_heap import freeze_start_up_heap


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--threads",
        type=click.IntRange(1, 64),
        default=None,
        help="Worker threads (default ETWIN_WORKER_THREADS).",
    )
    @with_app
    def worker(app: Flask, threads: int | None) -> None:
        """Consume the task queue (huey) until stopped."""
        c = container(app)
        workers = threads or c.settings.worker_threads
        click.echo(f"etwin-lti worker: {c.settings.queue} queue, {workers} thread(s)")
        freeze_start_up_heap()
        c.task_queue.run_worker(workers=workers)
