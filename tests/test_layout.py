"""The layout's import rules, read from the source of every module under signup/.

core is the policy, mail renders and sends, web answers requests. Each rule is checked on
every import statement, including those inside functions and TYPE_CHECKING blocks.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "signup"
SEAT_LOCK = "signup.core.lock"
#: What renders an email: the templates, the calendar file, the plain-text wrapping.
RENDERING = {"signup.mail.render", "signup.mail.calendar", "signup.mail.plaintext"}
FLASK_TEMPLATES = {"render_template", "render_template_string", "stream_template"}


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_dotted(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a `from` import names, relative ones resolved."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def imports(module: str) -> set[tuple[str, str]]:
    """(module, name) for everything `module` imports; name is "" for a whole module."""
    path = MODULES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {(alias.name, "") for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, path, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add((submodule, "") if submodule in MODULES else (base, alias.name))
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def breaches(layer: str, forbidden) -> list[str]:
    """`module imports target[:name]` for each import of a module in `layer` that is refused."""
    return sorted(
        f"{module} imports {target}{':' + name if name else ''}"
        for module in MODULES
        if within(module, layer)
        for target, name in imports(module)
        if forbidden(target, name)
    )


def test_the_rules_read_real_imports():
    """The reader finds the layers and what is in them, so no rule passes on nothing."""
    for layer in ("signup.core", "signup.mail", "signup.web"):
        assert [module for module in MODULES if within(module, layer)], layer
    assert ("signup.mail.outbox", "") in imports("signup.core.admission")
    assert ("signup.core.lock", "seat_lock") in imports("signup.core.admission")
    assert ("signup.models", "Event") in imports("signup.core.offer_window")  # TYPE_CHECKING


def test_core_imports_nothing_from_web():
    assert breaches("signup.core", lambda target, _name: within(target, "signup.web")) == []


def test_core_imports_from_mail_only_the_outbox():
    """Core writes intents; links and everything rendered are built after the commit."""

    def forbidden(target, _name):
        return within(target, "signup.mail") and target != "signup.mail.outbox"

    assert breaches("signup.core", forbidden) == []


def test_mail_imports_neither_core_nor_web():
    def forbidden(target, _name):
        return within(target, "signup.core") or within(target, "signup.web")

    assert breaches("signup.mail", forbidden) == []


def test_the_outbox_imports_no_rendering():
    """The outbox writes intents and delivers; compose.py renders, after the commit."""

    def forbidden(target, name):
        return target in RENDERING or (target == "flask" and name in FLASK_TEMPLATES)

    assert breaches("signup.mail.outbox", forbidden) == []


def test_web_takes_no_seat_lock():
    """Web calls core.admission for seat decisions; it never holds the seat lock itself."""

    def forbidden(target, name):
        return within(target, SEAT_LOCK) or name == "seat_lock"

    assert breaches("signup.web", forbidden) == []


#: What opens or ends a write transaction: the core's `with` blocks and the session's commit.
TRANSACTION_NAMES = {"write_transaction", "begin_write", "seat_lock", "database"}


def commits(module: str) -> list[str]:
    """`module:line` for each `.commit()` call in `module`'s source."""
    path = MODULES[module]
    return [
        f"{module}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_the_commit_reader_finds_commits():
    assert commits("signup.core.lock")


def test_web_opens_no_write_transaction():
    """Each organiser or public action calls one core function that owns its transaction."""

    def forbidden(target, name):
        return name in TRANSACTION_NAMES or target == "signup.database"

    assert breaches("signup.web", forbidden) == []
    assert [
        line for module in MODULES if within(module, "signup.web") for line in commits(module)
    ] == []
