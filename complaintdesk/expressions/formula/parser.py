"""Text -> syntax tree, with every compile-time check.

lark builds an LALR(1) parser from ``grammar.lark`` once, at import. The tree is built by callbacks
as the parser reduces (no recursion over the input), so a 8,000-character formula cannot exhaust the
Python stack; nesting deeper than :data:`MAX_DEPTH` is refused while parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import nodes as n
from .errors import FormulaSyntaxError
from .values import ExcelError

MAX_LENGTH: Final = 8_000
MAX_DEPTH: Final = 64

_TOKEN_NAMES_ZH = {
    "RPAR": "“)”",
    "LPAR": "“(”",
    "COMMA": "“,”",
    "RBRACE": "“}”",
    "$END": "公式结尾",
}
_TOKEN_NAMES_EN = {
    "RPAR": "')'",
    "LPAR": "'('",
    "COMMA": "','",
    "RBRACE": "'}'",
    "$END": "end of formula",
}


class _TooDeep(Exception):
    def __init__(self, position: int) -> None:
        self.position = position


class _BareName(Exception):
    def __init__(self, token: Token) -> None:
        self.token = token


def _depth(*children: n.Node) -> int:
    depth = 1 + max(child.depth for child in children)
    if depth > MAX_DEPTH:
        raise _TooDeep(children[0].pos)
    return depth


def _pos(token: Token) -> int:
    return token.start_pos or 0


def _unquote(token: Token) -> str:
    return str(token)[1:-1].replace('""', '"')


class _Builder(Transformer[Token, n.Node]):
    """Parser callbacks: one per grammar alias, each returning a :mod:`nodes` object."""

    def start(self, children: list[Any]) -> n.Node:
        node: n.Node = children[-1]
        return node

    def number(self, children: list[Token]) -> n.Node:
        token = children[0]
        position = _pos(token)
        value = float(token)
        if value == float("inf"):
            return n.ErrorLiteral(position, ExcelError("#NUM!"))
        return n.Number(position, value)

    def negative_number(self, children: list[Token]) -> n.Node:
        node = self.number(children[1:])
        if isinstance(node, n.Number):
            node.value = -node.value
            node.pos = _pos(children[0])
        return node

    def string(self, children: list[Token]) -> n.Node:
        return n.Text(_pos(children[0]), _unquote(children[0]))

    def boolean(self, children: list[Token]) -> n.Node:
        return n.Boolean(_pos(children[0]), str(children[0]).upper() == "TRUE")

    def error(self, children: list[Token]) -> n.Node:
        return n.ErrorLiteral(_pos(children[0]), ExcelError(str(children[0]).upper()))

    def field(self, children: list[Token]) -> n.Node:
        token = children[0]
        inner = str(token)[1:-1].strip()
        key, _, column = inner.partition(".")
        return n.Field(_pos(token), key, column or None)

    def bare_name(self, children: list[Token]) -> n.Node:
        raise _BareName(children[0])

    def call(self, children: list[Any]) -> n.Node:
        token, _lpar, args, _rpar = children
        depth = _depth(*args) if args else 1
        return n.Call(_pos(token), str(token).upper(), args, depth=depth)

    def arguments(self, children: list[Any]) -> list[n.Node]:
        # children alternate: expr-or-None, COMMA, expr-or-None, ...
        args: list[n.Node] = []
        expecting_value = True
        last_comma = 0
        for child in children:
            if isinstance(child, Token) and child.type == "COMMA":
                if expecting_value:
                    args.append(n.Missing(_pos(child)))
                expecting_value = True
                last_comma = _pos(child)
            elif child is None:
                continue
            else:
                args.append(child)
                expecting_value = False
        if expecting_value and args:
            args.append(n.Missing(last_comma + 1))
        return args

    def group(self, children: list[Any]) -> n.Node:
        node: n.Node = children[1]
        node.grouped = True
        return node

    def array(self, children: list[Any]) -> n.Node:
        items: list[Any] = children[1]
        return n.ArrayLiteral(_pos(children[0]), items)

    def array_items(self, children: list[Any]) -> list[Any]:
        values: list[Any] = []
        for child in children:
            if isinstance(child, Token):
                continue
            if isinstance(child, n.Number | n.Text | n.Boolean | n.ErrorLiteral):
                values.append(child.value)
        return values

    def negate(self, children: list[Any]) -> n.Node:
        minus, operand = children
        if isinstance(operand, n.Negate) and not operand.grouped:
            operand.count += 1
            operand.pos = _pos(minus)
            return operand
        return n.Negate(_pos(minus), 1, operand, depth=_depth(operand))

    def plus(self, children: list[Any]) -> n.Node:
        # Excel's unary plus does nothing at all (it does not even convert text to a number).
        operand: n.Node = children[1]
        return operand

    def percent(self, children: list[Any]) -> n.Node:
        operand = children[0]
        if isinstance(operand, n.Percent) and not operand.grouped:
            operand.count += 1
            return operand
        return n.Percent(operand.pos, 1, operand, depth=_depth(operand))

    def _chain(self, level: str, children: list[Any]) -> n.Node:
        left, op, right = children
        if isinstance(left, n.Chain) and left.level == level and not left.grouped:
            left.rest.append((str(op), right))
            if right.depth + 1 > left.depth:
                left.depth = _depth(right)
            return left
        return n.Chain(left.pos, level, left, [(str(op), right)], depth=_depth(left, right))

    def compare(self, children: list[Any]) -> n.Node:
        return self._chain("compare", children)

    def concat(self, children: list[Any]) -> n.Node:
        return self._chain("concat", children)

    def add(self, children: list[Any]) -> n.Node:
        return self._chain("add", children)

    def mul(self, children: list[Any]) -> n.Node:
        return self._chain("mul", children)

    def power(self, children: list[Any]) -> n.Node:
        return self._chain("power", children)


_PARSER: Final = Lark(
    (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8"),
    parser="lalr",
    lexer="contextual",
    transformer=_Builder(),
    maybe_placeholders=True,
    cache=False,
)


_FULL_WIDTH = {
    "，": ",", "（": "(", "）": ")", "“": '"', "”": '"', "＋": "+", "－": "-", "＊": "*", "／": "/",
    "＝": "=", "＜": "<", "＞": ">", "＆": "&", "％": "%", "｛": "{", "｝": "}", "；": ";", "＾": "^",
}  # fmt: skip


def _describe_expected(expected: set[str]) -> tuple[str, str]:
    wanted = [name for name in ("RPAR", "COMMA", "RBRACE") if name in expected]
    if wanted:
        return (
            "，应为 " + " 或 ".join(_TOKEN_NAMES_ZH[name] for name in wanted),
            ", expected " + " or ".join(_TOKEN_NAMES_EN[name] for name in wanted),
        )
    return "", ""


def _syntax_error(text: str, exc: UnexpectedInput) -> FormulaSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        if char == "'":
            return FormulaSyntaxError(
                "文本请用双引号括起来", "text must be written in double quotes", text=text, position=position
            )
        if char == "{":
            return FormulaSyntaxError(
                "字段引用格式无效，应为 {字段标识} 或 {子表.列}",
                "invalid field reference: write {field_key} or {table.column}",
                text=text,
                position=position,
            )
        if char in _FULL_WIDTH:
            ascii_char = _FULL_WIDTH[char]
            return FormulaSyntaxError(
                f"请使用英文半角符号 {ascii_char!r}，而不是全角的 {char!r}",
                f"use the ASCII character {ascii_char!r} instead of the full-width {char!r}",
                text=text,
                position=position,
            )
        if char == '"':
            return FormulaSyntaxError(
                "文本缺少结尾的双引号", "unterminated text", text=text, position=position
            )
        return FormulaSyntaxError(
            f"无法识别的字符 {char!r}", f"unexpected character {char!r}", text=text, position=position
        )
    if isinstance(exc, UnexpectedEOF):
        zh, en = _describe_expected(set(exc.expected))
        return FormulaSyntaxError("公式不完整" + zh, "incomplete formula" + en, text=text, position=len(text))
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(exc.expected)
        opening = text.rfind("{", 0, _pos(token))
        after_brace = opening >= 0 and not text[opening + 1 : _pos(token)].strip()
        if after_brace and token.type in ("NAME", "FUNCTION", "RBRACE"):
            return FormulaSyntaxError(
                "字段引用格式无效，应为 {字段标识} 或 {子表.列}",
                "invalid field reference: write {field_key} or {table.column}",
                text=text,
                position=opening,
            )
        if token.type == "$END":
            zh, en = _describe_expected(expected)
            return FormulaSyntaxError("公式不完整" + zh, "incomplete formula" + en, text=text, position=len(text))
        zh, en = _describe_expected(expected)
        return FormulaSyntaxError(
            f"此处不应出现 {str(token)!r}" + zh,
            f"unexpected {str(token)!r}" + en,
            text=text,
            position=_pos(token),
        )
    return FormulaSyntaxError("语法错误", "syntax error", text=text, position=0)


def parse(text: str) -> n.Node:
    """Parse formula text (an optional leading "=" is allowed) into a syntax tree."""
    if not isinstance(text, str):
        raise TypeError("formula text must be a string")
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(
            f"公式过长（最多 {MAX_LENGTH} 个字符）",
            f"formula too long (at most {MAX_LENGTH} characters)",
            text=text,
            position=MAX_LENGTH,
            code="too_long",
        )
    if not text.strip():
        raise FormulaSyntaxError("公式为空", "empty formula", text=text, position=0)
    try:
        tree: n.Node = _PARSER.parse(text)  # type: ignore[assignment]
    except _TooDeep as exc:
        raise FormulaSyntaxError(
            f"嵌套层数过多（最多 {MAX_DEPTH} 层）",
            f"formula nested too deeply (at most {MAX_DEPTH} levels)",
            text=text,
            position=exc.position,
            code="too_deep",
        ) from None
    except _BareName as exc:
        name = str(exc.token)
        raise FormulaSyntaxError(
            f"未知名称 {name}：字段引用请写作 {{{name}}}，函数调用需要括号",
            f"unknown name {name}: write a field reference as {{{name}}}; a function call needs parentheses",
            text=text,
            position=_pos(exc.token),
            code="unknown_name",
        ) from None
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return tree


@dataclass(frozen=True, slots=True)
class CallSite:
    name: str
    position: int
    arg_count: int


def walk(root: n.Node) -> list[n.Node]:
    """Every node, parents before children (iterative; depth is already bounded)."""
    out: list[n.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, n.Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, n.Chain):
            stack.extend(reversed([operand for _, operand in node.rest]))
            stack.append(node.first)
        elif isinstance(node, n.Negate | n.Percent):
            stack.append(node.operand)
    return out
