"""URL rules whose builders are compiled when first used.

Werkzeug compiles two URL builder functions per rule (source generated with ``ast``, then
``compile()``) as each rule is added: about half of building the app here, paid by every
gunicorn worker at start and by every test app, for builders most rules never use (only the
endpoints passed to ``url_for`` need one). Matching is unchanged: only building is deferred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []
        rule = self

        # Werkzeug binds what this returns to the rule (``__get__``), hence ``_self``.
        def build(_self: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build
