"""``python -m bench.launch --profile N``: cProfile of N launches through the Flask test
client (no gunicorn, no sockets to the tool), outside the benchmark's figures, with the SQL of
one returning learner's launch."""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.launch_platform import USERS, Platform, Target
from bench.launch_tool import prepare_tool, tool_env
from bench.support import REDIS_URL, JwksServer, postgres_database


def profile(
    launches: int,
    database: str,
    members: int = 0,
    dump: str | None = None,
    cpu_only: bool = False,
) -> str:
    """cProfile over ``launches`` launches through the Flask test client (no gunicorn, no
    sockets to the tool), SQLite or PostgreSQL + Redis; prints the top costs. ``cpu_only``:
    no profiler, this process's CPU per launch (client and tool together) in three runs."""
    import cProfile
    import io
    import pstats

    platform = Platform()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="etwin-prof-")))
        jwks = stack.enter_context(JwksServer(platform.jwks))
        if database == "postgres":
            url = stack.enter_context(postgres_database())
            if url is None:
                raise SystemExit("PostgreSQL is not reachable")
            redis_url: str | None = REDIS_URL
        else:
            url, redis_url = "sqlite:///" + str(workdir / "etwin.sqlite"), None
        base_url = "http://tool.bench.test"
        env = tool_env(url, base_url, workdir, redis_url)
        resource = prepare_tool(env, jwks.url, members)
        os.environ.update(env)
        from etwin_lti.app import create_app

        app = create_app()
        session = _TestClientSession(app, base_url)
        target = Target("profile", base_url, "/lti/login", "/lti/launch", resource, True)
        for i in range(USERS):  # every user exists and the keys are cached
            target.launch(platform, session, 0, i)  # type: ignore[arg-type]
        sql = _one_launch_sql(app, target, platform, session)
        if cpu_only:
            runs = []
            for _ in range(3):
                started = time.process_time()
                for i in range(launches):
                    target.launch(platform, session, 0, i)  # type: ignore[arg-type]
                runs.append(1000 * (time.process_time() - started) / launches)
            app.extensions["etwin"].database.dispose()
            figures = ", ".join(f"{ms:.2f}" for ms in runs)
            return f"{sql}\n\nCPU per launch in process (ms, client + tool, 3 runs): {figures}"
        # CPU time, not wall time: waiting on PostgreSQL is the database's cost (counted by the
        # benchmark separately); what is left is the worker's own CPU, the figure to cut.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for i in range(launches):
            target.launch(platform, session, 0, i)  # type: ignore[arg-type]
        profiler.disable()
        if dump:  # for pstats / snakeviz: callers and callees of any function
            profiler.dump_stats(dump)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        app.extensions["etwin"].database.dispose()
        return sql + "\n\n" + out.getvalue()


def _one_launch_sql(app: Any, target: Target, platform: Platform, session: Any) -> str:
    """The SQL statements of one returning user's launch (login, POST, page), in order."""
    from sqlalchemy import event

    engine = app.extensions["etwin"].database.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split())[:110])

    def commit(conn: Any) -> None:
        statements.append("COMMIT")

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        target.launch(platform, session, 0, 1)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    lines = [f"SQL of one returning user's launch ({engine.dialect.name}):"]
    lines += [f"  {n:2d}. {s}" for n, s in enumerate(statements, 1)]
    return "\n".join(lines)


class _TestClientSession:
    """Just enough of ``requests.Session`` over a Flask test client for ``Target.launch``."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app, self.base = app, base_url
        self.client = app.test_client()
        self.cookies = self

    def clear(self) -> None:  # session.cookies.clear(): a new browser
        self.client = self.app.test_client()

    def _path(self, url: str) -> str:
        return url[len(self.base) :] if url.startswith(self.base) else url

    def get(self, url: str, params: Any = None, allow_redirects: bool = True, **_: Any) -> Any:
        return _Response(self.client.get(self._path(url), query_string=params))

    def post(self, url: str, data: Any = None, allow_redirects: bool = True, **_: Any) -> Any:
        return _Response(self.client.post(self._path(url), data=data))


class _Response:
    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.get_data(as_text=True)
