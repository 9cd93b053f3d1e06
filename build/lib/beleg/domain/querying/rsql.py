"""RSQL/FIQL filter expressions (``type==INVOICE;date=ge=2026-01-01``) parsed into a small AST.

Grammar (RSQL as used by the seeds' Billing API): ``;`` (or ``and``) binds tighter than ``,``
(or ``or``); parentheses group; a comparison is ``selector operator argument`` with the
operators below; ``=in=``/``=out=`` take a parenthesised list; values are bare words or quoted
with ``'`` or ``"`` (backslash escapes the quote). The AST never contains SQL: a separate
translator maps whitelisted selectors to columns and binds values as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from beleg.messages import Message

MAX_QUERY_LENGTH = 2000
MAX_COMPARISONS = 50

OPERATOR_ALIASES = {
    "==": "==",
    "!=": "!=",
    "=lt=": "<",
    "<": "<",
    "=le=": "<=",
    "<=": "<=",
    "=gt=": ">",
    ">": ">",
    "=ge=": ">=",
    ">=": ">=",
    "=in=": "in",
    "=out=": "out",
    "=like=": "like",
    "=isnull=": "isnull",
}

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_or and_expr)*
?and_expr: _atom (_and _atom)*
_or: "," | _OR_WORD
_and: ";" | _AND_WORD
_atom: comparison | "(" or_expr ")"
comparison: SELECTOR OPERATOR arguments
arguments: value | "(" value ("," value)* ")"
value: UNRESERVED | DQ | SQ
_OR_WORD: /\s+or\s+/
_AND_WORD: /\s+and\s+/
SELECTOR: /[A-Za-z_][A-Za-z0-9_.]*/
OPERATOR: /=[A-Za-z]*=/ | "!=" | "<=" | ">=" | "<" | ">"
UNRESERVED: /[^"'();,=!~<>\s]+/
DQ: /"(\\.|[^"\\])*"/
SQ: /'(\\.|[^'\\])*'/
"""


class RsqlError(ValueError):
    """The filter cannot be parsed or uses an unknown operator; ``position`` is 1-based.
    ``problem`` is the text of what is wrong (a catalogue code and its parameters)."""

    def __init__(self, code: str, position: int | None = None, **params: object) -> None:
        self.problem = Message(code, params)
        super().__init__(self.problem.text())
        self.position = position


@dataclass(frozen=True, slots=True)
class Comparison:
    selector: str
    operator: str  # normalised: == != < <= > >= in out like isnull
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Comparison | And | Or

_PARSER = Lark(_GRAMMAR, parser="lalr")


def _unquote(token: Token) -> str:
    text = str(token)
    if token.type in ("DQ", "SQ"):
        body = text[1:-1]
        out, escaped = [], False
        for char in body:
            if escaped:
                out.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            else:
                out.append(char)
        return "".join(out)
    return text


@v_args(inline=True)
class _ToAst(Transformer[Token, Node]):
    def value(self, token: Token) -> str:
        return _unquote(token)

    def arguments(self, *values: str) -> tuple[str, ...]:
        return values

    def comparison(self, selector: Token, operator: Token, values: tuple[str, ...]) -> Comparison:
        op = str(operator)
        if op not in OPERATOR_ALIASES:
            raise RsqlError(
                "querying.unknown_operator",
                operator.column,
                operator=op,
                allowed=", ".join(OPERATOR_ALIASES),
            )
        normalised = OPERATOR_ALIASES[op]
        if normalised not in ("in", "out") and len(values) != 1:
            raise RsqlError("querying.one_value", operator.column, operator=op)
        return Comparison(str(selector), normalised, values)

    def and_expr(self, *children: Node) -> And:
        return And(children)

    def or_expr(self, *children: Node) -> Or:
        return Or(children)


def _count(node: Node) -> int:
    if isinstance(node, Comparison):
        return 1
    return sum(_count(child) for child in node.children)


def parse_rsql(text: str) -> Node:
    """Parse an RSQL expression; raise ``RsqlError`` naming the position of the problem."""
    if not text.strip():
        raise RsqlError("querying.empty")
    if len(text) > MAX_QUERY_LENGTH:
        raise RsqlError("querying.too_long", limit=MAX_QUERY_LENGTH)
    try:
        tree = _PARSER.parse(text)
        node: Node = _ToAst().transform(tree)
    except RsqlError:
        raise
    except UnexpectedCharacters as exc:
        raise RsqlError(
            "querying.unexpected_character", exc.column, char=text[exc.pos_in_stream or 0]
        ) from None
    except UnexpectedInput as exc:
        raise RsqlError("querying.incomplete", exc.column) from None
    except LarkError as exc:
        inner = exc.__context__
        if isinstance(inner, RsqlError):
            raise inner from None
        raise RsqlError("querying.malformed") from None
    if _count(node) > MAX_COMPARISONS:
        raise RsqlError("querying.too_many_comparisons", limit=MAX_COMPARISONS)
    return node


def selectors(node: Node) -> set[str]:
    """Every selector the expression uses."""
    if isinstance(node, Comparison):
        return {node.selector}
    return set().union(*(selectors(child) for child in node.children))
