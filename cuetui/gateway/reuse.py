"""Decoding a list answer that mostly repeats the last one, element by element.

A poll of a big farm's jobs is a 5 MB answer in which a few jobs changed since the last poll. Parsing it
whole is one uninterruptible orjson call (a tenth of a second and more) that freezes the screen polling
it. The gateway's answer is `{"jobs":{"jobs":[{"id":…},{"id":…}]}}` with each element's fields in a
fixed order, so the bytes of an element that did not change are the same as last time: `ListReuse`
splits the answer between elements, keeps the model of every element whose bytes it has seen in the last
answer, and parses only the others.

JSON escapes every `"` inside a string, so the separator `},{"id":` cannot come from inside a job's
name or comment; a nested list of objects with an `id` would split an element in two, and then a piece
is not a JSON object on its own. Anything unexpected (another shape, a piece that does not parse) makes
`decode` return None and the caller parses the answer whole: this is a shortcut, never a second parser.
Elements are remembered by a digest of their bytes, so the cache costs 16 bytes a job, not a kilobyte.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import orjson

M = TypeVar("M")

PARSE_SLICE = 250  # elements parsed between two turns of the event loop
SCAN_SLICE = 2000  # elements looked up (digest only) between two turns of the event loop
_digest = hashlib.blake2b


class ListReuse(Generic[M]):
    """Element-by-element decoding of `{"<name>":{"<name>":[…]}}` answers, reusing unchanged elements."""

    def __init__(self, name: str, model: Callable[[Any], M], from_bytes: Callable[[bytes], M] | None = None) -> None:
        self.name = name
        self.model = model
        # Decodes one element's bytes without a dict in between (a model's fast path), when given.
        self.from_bytes = from_bytes
        self.parsed = 0  # elements parsed by the last decode (the others were reused)
        self.fresh: list[M] = []  # the models the last decode parsed (the others it reused)
        # By a 128-bit digest of each element's bytes, not the bytes: a job's JSON is a kilobyte, its
        # digest 16 bytes, and two different elements sharing a BLAKE2b digest is beyond any farm.
        self._last: dict[bytes, M] = {}

    async def decode(self, content: bytes) -> list[M] | None:
        """The models of the answer, or None when it is not in the expected shape."""
        # Go's protojson writes either compact JSON or JSON with one space after each `:` and `,`.
        for space in (b"", b" "):
            prefix = b'{"%s":%s{"%s":%s[' % (self.name.encode(), space, self.name.encode(), space)
            if content.startswith(prefix) and content.endswith(b"]}}"):
                return await self._decode_elements(content[len(prefix) : -3], space)
        return None

    async def _decode_elements(self, body: bytes, space: bytes) -> list[M] | None:
        if not body:
            self._last = {}
            self.parsed = 0
            self.fresh = []
            return []
        head = b'{"id":' + space
        if not body.startswith(head) or not body.endswith(b"}"):
            return None
        pieces = body[len(head) : -1].split(b"}," + space + head)
        last = self._last
        seen: dict[bytes, M] = {}
        out: list[M] = []
        fresh: list[M] = []
        parsed = 0
        for n, piece in enumerate(pieces, 1):
            if n % SCAN_SLICE == 0:
                # 20 000 digests are tens of milliseconds: let a keypress or a repaint in between.
                await asyncio.sleep(0)
            key = _digest(piece, digest_size=16).digest()
            model = last.get(key)
            if model is None:
                model = seen.get(key)
            if model is None:
                element = head + piece + b"}"
                if self.from_bytes is not None:
                    try:
                        model = self.from_bytes(element)
                    except ValueError:  # not JSON on its own: split inside an element
                        return None
                else:
                    try:
                        data = orjson.loads(element)
                    except orjson.JSONDecodeError:
                        return None
                    if not isinstance(data, dict):
                        return None
                    model = self.model(data)
                parsed += 1
                fresh.append(model)
                if parsed % PARSE_SLICE == 0:
                    await asyncio.sleep(0)
            seen[key] = model
            out.append(model)
        self._last = seen
        self.parsed = parsed
        self.fresh = fresh
        return out
