"""The one exception of the formula language: a formula that cannot be compiled."""

from __future__ import annotations


class FormulaSyntaxError(ValueError):
    """A formula that does not parse or breaks a compile-time rule.

    ``message`` is "中文 / English"; ``message_zh`` and ``message_en`` hold each language.
    ``position`` is the 0-based character offset of the problem in the formula text; ``line`` and
    ``column`` are 1-based. ``code`` is machine-readable: ``syntax``, ``too_long``, ``too_deep``,
    ``arity``, ``unknown_name``, ``unknown_function`` (strict mode only).
    """

    def __init__(
        self,
        message_zh: str,
        message_en: str,
        *,
        text: str,
        position: int,
        code: str = "syntax",
    ) -> None:
        position = max(0, min(position, len(text)))
        self.message_zh = message_zh
        self.message_en = message_en
        self.message = f"{message_zh} / {message_en}"
        self.position = position
        self.line = text.count("\n", 0, position) + 1
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        self.code = code
        self.text = text
        super().__init__(f"{self.message} (line {self.line}, column {self.column})")
