"""The message catalogue is complete and tidy: every message code the source raises or renders
exists in German and English, each text uses only parameters the raise site passes and every
parameter is used by one of them, both languages have the same codes, and no entry is dead."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import beleg
from beleg import messages
from beleg.domain.errors import DomainError

SOURCE = Path(beleg.__file__).parent
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
RENDERERS = {"text", "Message", "RsqlError", "Problem"}  # render a code with keyword parameters
NOT_PARAMS = {"RsqlError": {"position"}, "text": set(), "Message": set(), "Problem": {"field"}}


def _error_classes() -> set[str]:
    for module in pkgutil.walk_packages(beleg.__path__, "beleg."):
        importlib.import_module(module.name)
    found, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


@dataclass(frozen=True)
class Use:
    where: str
    code: str
    params: frozenset[str] | None  # None: the call passes **kwargs
    callee: str = ""


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _uses() -> Iterator[Use]:
    names = _error_classes() | RENDERERS
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _callee(node) in names and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            keywords = [k.arg for k in node.keywords]
            skip = NOT_PARAMS.get(str(_callee(node)), {"field"})
            params = None if None in keywords else frozenset(keywords) - skip
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            yield Use(where, first.value, params, str(_callee(node)))


def _fields(template: str) -> frozenset[str]:
    return frozenset(
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    )


ALL_USES = list(_uses())
USES = [u for u in ALL_USES if CODE.match(u.code)]


def test_errors_are_raised_with_codes_not_texts() -> None:
    inline = [
        f"{u.where}: {u.code!r}"
        for u in ALL_USES
        if not CODE.match(u.code) and u.callee != "text"  # sqlalchemy's text("SELECT 1")
    ]
    assert inline == []


def test_both_languages_have_the_same_codes() -> None:
    assert set(messages.catalogue("de")) == set(messages.catalogue("en"))


@pytest.mark.parametrize("use", USES, ids=[u.where for u in USES])
def test_every_raised_code_has_both_texts_with_its_placeholders(use: Use) -> None:
    used: set[str] = set()
    for language in messages.LANGUAGES:
        template = messages.catalogue(language).get(use.code)
        assert template is not None, f"{use.where}: {use.code} has no {language} text"
        used |= _fields(template)
        if use.params is not None:
            assert _fields(template) <= use.params, (
                f"{use.where}: {use.code} ({language}) needs {sorted(_fields(template))}, "
                f"the call passes {sorted(use.params)}"
            )
    if use.params is not None:
        assert used == use.params, f"{use.where}: {use.code} passes unused parameters"


def _prefix(node: ast.JoinedStr) -> str | None:
    """The constant start of an f-string that builds a code (f"framework.{kind}")."""
    first = node.values[0] if node.values else None
    if (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and CODE.match(first.value.rstrip(".") + ".x")
    ):
        return first.value
    return None


def test_every_catalogue_entry_is_used() -> None:
    trees = [ast.parse(path.read_text()) for path in SOURCE.rglob("*.py")]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    constants = {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    prefixes = {p for n in nodes if isinstance(n, ast.JoinedStr) and (p := _prefix(n))}
    unused = sorted(
        code
        for code in messages.catalogue("en")
        if code not in constants and not any(code.startswith(p) for p in prefixes)
    )
    assert unused == []
