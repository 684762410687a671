"""Reading one HTTP answer with a bound on its size, decompressing it ourselves a slice at a time.

httpx's own decoders inflate a whole network chunk at once (a 64 KB chunk of a gzip bomb is 64 MB) and
`response.read()` keeps whatever the server sends. Here the raw bytes are read as they come, inflated at
most READ_CHUNK bytes at a time, and the answer is refused (AnswerTooLarge) as soon as it would pass
`limit` -- so neither a huge body nor a gzip bomb is ever held whole.
"""

from __future__ import annotations

import weakref
import zlib

import httpx

READ_CHUNK = 64 * 1024  # decompressed bytes taken from a compressed stream at a time
# What we tell the gateway we can read; anything else it sends is refused rather than guessed at.
ACCEPT_ENCODING = "gzip, deflate"

# A body already read (e.g. a 401 read by the auth flow) is handed out again, not read twice.
_READ: weakref.WeakKeyDictionary[httpx.Response, bytes] = weakref.WeakKeyDictionary()


class AnswerTooLarge(Exception):
    """The answer passed the size limit (decompressed); `limit` is that limit in bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {describe_size(limit)}")
        self.limit = limit


class UnreadableEncoding(Exception):
    """The answer's Content-Encoding is one we did not ask for, or its compressed bytes are corrupt."""


def describe_size(n: int) -> str:
    """`256 MiB`, `64 KiB`, `12 bytes`."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def _decompressor(encoding: str) -> zlib._Decompress | None:
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        # 32 + MAX_WBITS: gzip or zlib framing, whichever the header says.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise UnreadableEncoding(f"answer compressed as {encoding[:40]!r}, which cuetui did not ask for")


def body_of(response: httpx.Response) -> bytes:
    """The body read_bounded read for `response` (or the body httpx read); b"" when not read yet."""
    cached = _READ.get(response)
    if cached is not None:
        return cached
    try:
        return response.content
    except httpx.ResponseNotRead:
        return b""


def forget(response: httpx.Response) -> None:
    """Drop the body kept for `response` once its reader has it: a response that outlives its call (held
    by a reference cycle until the collector runs, or frozen by `gc.freeze`) then keeps no body alive."""
    _READ.pop(response, None)


async def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The whole body of a streamed `response`, decompressed; AnswerTooLarge past `limit` bytes."""
    cached = _READ.get(response)
    if cached is None and response.is_stream_consumed:
        cached = response.content  # read before us (a transport that hands out whole answers)
        if len(cached) > limit:
            raise AnswerTooLarge(limit)
    if cached is not None:
        return cached
    declared = response.headers.get("content-length", "")
    inflate = _decompressor(response.headers.get("content-encoding", ""))
    if inflate is None and declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(limit)
    parts: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        if inflate is None:
            total += len(raw)
            if total > limit:
                raise AnswerTooLarge(limit)
            parts.append(raw)
            continue
        data = raw
        while data:
            try:
                out = inflate.decompress(data, READ_CHUNK)
            except zlib.error:
                raise UnreadableEncoding("answer's compressed bytes are corrupt") from None
            total += len(out)
            if total > limit:
                raise AnswerTooLarge(limit)
            parts.append(out)
            data = inflate.unconsumed_tail
            if inflate.eof:
                break
    if inflate is not None:
        try:
            rest = inflate.flush(READ_CHUNK)
        except zlib.error:
            raise UnreadableEncoding("answer's compressed bytes are corrupt") from None
        total += len(rest)
        if total > limit:
            raise AnswerTooLarge(limit)
        parts.append(rest)
    body = b"".join(parts)
    _READ[response] = body
    return body
