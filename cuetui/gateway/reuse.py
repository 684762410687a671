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
# Bytes of the answer looked up (found and digested, ~4 ms a megabyte) between two turns of the loop.
SCAN_SLICE_BYTES = 1 << 20
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
                return await self._decode_elements(content, len(prefix), len(content) - 3, space)
        return None

    async def _decode_elements(self, content: bytes, start: int, stop: int, space: bytes) -> list[M] | None:
        """The elements of `content[start:stop]`, found in place: copying a 20 MB answer into a body
        and splitting that into pieces are two uninterruptible copies of it (tens of milliseconds),
        where finding each separator and digesting the element through a memoryview copies nothing
        but what is parsed, and can stop for the event loop between any two elements."""
        if start == stop:
            self._last = {}
            self.parsed = 0
            self.fresh = []
            return []
        head = b'{"id":' + space
        if not content.startswith(head, start) or content[stop - 1] != ord("}"):
            return None
        separator = b"}," + space + head
        view = memoryview(content)
        find = content.find
        last = self._last
        seen: dict[bytes, M] = {}
        out: list[M] = []
        fresh: list[M] = []
        parsed = 0
        pos = start + len(head)  # where the current element's bytes begin, after its `{"id":`
        end_all = stop - 1  # the last element's closing `}` is not part of its piece
        slice_end = pos + SCAN_SLICE_BYTES
        while True:
            if pos > slice_end:
                # 20 000 digests are tens of milliseconds: let a keypress or a repaint in between.
                await asyncio.sleep(0)
                slice_end = pos + SCAN_SLICE_BYTES
            end = find(separator, pos, end_all)
            if end < 0:
                end = end_all
            piece = view[pos:end]
            key = _digest(piece, digest_size=16).digest()
            model = last.get(key)
            if model is None:
                model = seen.get(key)
            if model is None:
                element = b"".join((head, piece, b"}"))
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
                    slice_end = pos + SCAN_SLICE_BYTES
            seen[key] = model
            out.append(model)
            if end == end_all:
                break
            pos = end + len(separator)
        self._last = seen
        self.parsed = parsed
        self.fresh = fresh
        return out
