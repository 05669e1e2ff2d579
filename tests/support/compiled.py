"""Routes and templates compiled once for the whole test process, instead of once per app.

The suite builds an app for nearly every test, each on its own database and mail sink:
about 1,700 apps. Each app, on its own, compiles what every other app has compiled:

- For each of its ~90 routes, Werkzeug writes two URL-building functions as Python
  syntax trees and compiles them (`Rule.compile`), most of the time `create_app` takes.
  A builder depends only on the route's parsed parts and whether unknown arguments are
  appended (it reaches the route's converters through the rule it is bound to, at call
  time), so the test process compiles each distinct one once and binds it to every rule
  with the same parts. A rule with defaults is left to Werkzeug, since its defaults are
  compiled into the builder.
- Each template a test renders is parsed and compiled again in each app's Jinja
  environment. Jinja's bytecode cache is made for this: every app of the test process
  shares one, in memory, checked against each template's source. All apps have the same
  Jinja options, so the same source compiles to the same code.

Only the tests do this; the application runs Werkzeug and Jinja as they are.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing.rules import Rule

_compile_builder = Rule._compile_builder
_jinja_options = Flask.jinja_options
_builders: dict[tuple, object] = {}


def _shared_builder(self: Rule, append_unknown: bool = True):
    if self.defaults:
        return _compile_builder(self, append_unknown)
    key = (tuple(self._trace), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process (a Bucket checks the source's checksum)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def pytest_configure(config) -> None:
    Rule._compile_builder = _shared_builder
    Flask.jinja_options = {**_jinja_options, "bytecode_cache": MemoryBytecodeCache()}


def pytest_unconfigure(config) -> None:
    Rule._compile_builder = _compile_builder
    Flask.jinja_options = _jinja_options
