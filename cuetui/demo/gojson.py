"""Reading a request body as the real gateway does: Go's encoding/json for the syntax, with where each token is.

The gateway reads one JSON value with Go's ``encoding/json`` (its syntax errors are the 400 message),
then protojson decodes that value and names the line:column of the token it refuses. So the reader keeps,
for every object member and array item, the offset and the raw text of its token: `Obj.members` and
`Arr.spots`. Duplicate keys are kept (protojson refuses them only for known fields).
"""

from __future__ import annotations

import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SPACE = " \t\n\r"
_MAX_DEPTH = 10_000


class GoSyntaxError(ValueError):
    """The body is not one JSON value; the text is encoding/json's message."""


class Obj(dict[str, Any]):
    """A JSON object; ``members`` has every (key, value, key offset, value offset, raw value token)."""

    members: list[tuple[str, Any, int, int, str]]


class Arr(list[Any]):
    """A JSON array; ``spots`` has each item's (offset, raw token)."""

    spots: list[tuple[int, str]]


def quote_char(ch: str) -> str:
    """Go's quoteChar: how encoding/json names the character it stopped at."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    code = ord(ch)
    if code >= 0x80:
        # Go's scanner reads bytes: it names the first byte of the UTF-8 sequence as a rune.
        code = ch.encode("utf-8", "surrogatepass")[0]
        ch = chr(code)
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if ch in escapes:
        return f"'{escapes[ch]}'"
    if code < 0x20 or code == 0x7F:
        return f"'\\x{code:02x}'"
    if ch == "\\":
        return "'\\\\'"
    if 0x80 <= code < 0xA0 or code == 0xAD:
        return f"'\\u{code:04x}'"
    return f"'{ch}'"


def position(text: str, offset: int) -> str:
    """protojson's ``line:column`` of an offset (1-based; the column counts characters)."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return f"{line}:{offset - start + 1}"


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, at: int, context: str) -> GoSyntaxError:
        if at >= len(self.text):
            return GoSyntaxError("unexpected EOF")
        return GoSyntaxError(f"invalid character {quote_char(self.text[at])} {context}")

    def space(self, at: int) -> int:
        text = self.text
        while at < len(text) and text[at] in _SPACE:
            at += 1
        return at

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        text = self.text
        if at >= len(text):
            raise GoSyntaxError("unexpected EOF")
        ch = text[at]
        if ch == "{":
            return self.obj(at, depth + 1)
        if ch == "[":
            return self.arr(at, depth + 1)
        if ch == '"':
            return self.string(at)
        if ch in "-0123456789":
            return self.number(at)
        for word, value in (("true", True), ("false", False), ("null", None)):
            if ch == word[0]:
                for k, expected in enumerate(word[1:], start=1):
                    if at + k >= len(text):
                        raise GoSyntaxError("unexpected EOF")
                    if text[at + k] != expected:
                        raise self.fail(at + k, f"in literal {word} (expecting '{expected}')")
                return value, at + len(word)
        raise self.fail(at, "looking for beginning of value")

    def string(self, at: int) -> tuple[str, int]:
        text = self.text
        k = at + 1
        while k < len(text):
            ch = text[k]
            if ch == '"':
                break
            if ch == "\\":
                if k + 1 >= len(text):
                    raise GoSyntaxError("unexpected EOF")
                esc = text[k + 1]
                if esc == "u":
                    for j in range(k + 2, k + 6):
                        if j >= len(text):
                            raise GoSyntaxError("unexpected EOF")
                        if text[j] not in "0123456789abcdefABCDEF":
                            raise self.fail(j, "in \\u hexadecimal character escape")
                    k += 6
                    continue
                if esc not in '"\\/bfnrt':
                    raise self.fail(k + 1, "in string escape code")
                k += 2
                continue
            if ord(ch) < 0x20:
                raise self.fail(k, "in string literal")
            k += 1
        else:
            raise GoSyntaxError("unexpected EOF")
        try:
            value, end = scanstring(text, at + 1, False)
        except ValueError as err:  # a lone surrogate escape and the like: Go replaces, we refuse
            raise GoSyntaxError("invalid string") from err
        return value, end

    def number(self, at: int) -> tuple[Any, int]:
        text = self.text
        m = _NUMBER.match(text, at)
        if m is None:  # a lone "-"
            raise self.fail(at + 1, "in numeric literal")
        end = m.end()
        if end < len(text):
            nxt = text[end]
            if nxt == "." or (nxt in "eE" and "." not in m.group()):
                # "1." or "1e": Go wants a digit next
                after = end + 1
                if nxt in "eE" and after < len(text) and text[after] in "+-":
                    after += 1
                where = "after decimal point in numeric literal" if nxt == "." else "in exponent of numeric literal"
                raise self.fail(after, where)
        raw = m.group()
        value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
        return value, end

    def obj(self, at: int, depth: int) -> tuple[Obj, int]:
        if depth > _MAX_DEPTH:
            raise self.fail(at, "exceeded max depth")
        text = self.text
        out = Obj()
        out.members = []
        k = self.space(at + 1)
        if k < len(text) and text[k] == "}":
            return out, k + 1
        while True:
            if k >= len(text):
                raise GoSyntaxError("unexpected EOF")
            if text[k] != '"':
                raise self.fail(k, "looking for beginning of object key string")
            key_at = k
            key, k = self.string(k)
            k = self.space(k)
            if k >= len(text):
                raise GoSyntaxError("unexpected EOF")
            if text[k] != ":":
                raise self.fail(k, "after object key")
            value_at = self.space(k + 1)
            value, k = self.value(value_at, depth)
            out[key] = value
            out.members.append((key, value, key_at, value_at, text[value_at:k]))
            k = self.space(k)
            if k >= len(text):
                raise GoSyntaxError("unexpected EOF")
            if text[k] == "}":
                return out, k + 1
            if text[k] != ",":
                raise self.fail(k, "after object key:value pair")
            k = self.space(k + 1)

    def arr(self, at: int, depth: int) -> tuple[Arr, int]:
        if depth > _MAX_DEPTH:
            raise self.fail(at, "exceeded max depth")
        text = self.text
        out = Arr()
        out.spots = []
        k = self.space(at + 1)
        if k < len(text) and text[k] == "]":
            return out, k + 1
        while True:
            item_at = k
            value, k = self.value(k, depth)
            out.append(value)
            out.spots.append((item_at, text[item_at:k]))
            k = self.space(k)
            if k >= len(text):
                raise GoSyntaxError("unexpected EOF")
            if text[k] == "]":
                return out, k + 1
            if text[k] != ",":
                raise self.fail(k, "after array element")
            k = self.space(k + 1)


def read_value(text: str) -> Any:
    """The first JSON value of text (leading whitespace already stripped); what follows it is ignored."""
    try:
        return _Reader(text).value(0, 0)[0]
    except RecursionError as err:
        raise GoSyntaxError("exceeded max depth") from err
