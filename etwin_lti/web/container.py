"""The web layer's one way to the composition root: ``services()`` inside a request or an app
context, ``container_of(app)`` with an app in hand (the CLI). Typed, so that a view calling a
service gets its real signature instead of ``Any``."""

from __future__ import annotations

from flask import Flask, current_app

from etwin_lti.container import Container

EXTENSION = "etwin"


def install(app: Flask, container: Container) -> None:
    app.extensions[EXTENSION] = container


def container_of(app: Flask) -> Container:
    container = app.extensions[EXTENSION]
    if not isinstance(container, Container):  # only install() puts it there
        raise TypeError(f"app.extensions[{EXTENSION!r}] is not a Container")
    return container


def services() -> Container:
    return container_of(current_app)
