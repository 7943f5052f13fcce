"""The "hello" baseline of ``bench.launch``: the cheapest Flask endpoint gunicorn can serve.

gunicorn -w 2 'bench.hello:app'
"""

from __future__ import annotations

from flask import Flask

app = Flask("bench-hello")


@app.get("/hello")
def hello() -> str:
    return "hello"
