"""The baseline: a one-line Flask endpoint, served by gunicorn exactly like the product."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "ok"
