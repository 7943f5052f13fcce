"""The composition root: the one place that picks real adapters for the ports.

``bootstrap(settings)`` builds a ``Container`` of ready-to-use services. Tests build the app
through the same function (with test settings) so that they exercise the real wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from etwin_lti.persistence.db import Database
from etwin_lti.settings import Settings


@dataclass
class Container:
    settings: Settings
    database: Database
    # Filled by the build_* functions below; typed loosely here to keep this module small.
    services: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["services"][name]
        except KeyError:
            raise AttributeError(name) from None


def bootstrap(settings: Settings) -> Container:
    database = Database(settings.database_url)
    container = Container(settings=settings, database=database)
    build_hub(container)
    return container


def build_hub(container: Container) -> None:
    """The eTwinning hub: the local database implementation is the embedded default."""
