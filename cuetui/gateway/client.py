"""GatewayClient: one async method per gateway call, typed models back, errors as GatewayError values.

One client per farm, one keep-alive `httpx.AsyncClient` inside. The request bodies come from
`cuetui.gateway.requests` (checked against OpenCue's schema by the tests); this module only sends them,
turns every failure into one GatewayError line, and decodes answers into `cuetui.gateway.models`.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import operator
import os
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from cuetui import __version__
from cuetui.gateway import answer
from cuetui.gateway import requests as rq
from cuetui.gateway.answer import ACCEPT_ENCODING, UnreadableEncoding, describe_size, read_bounded
from cuetui.gateway.errors import (
    AnswerTooLarge,
    BadResponse,
    DeadlineExceeded,
    GatewayError,
    RequestDeadline,
    TokenExpired,
    Unauthorized,
    Unreachable,
    printable,
    status_error,
)
from cuetui.gateway.farm_models import Allocation, Depend, Group, Limit, Subscription
from cuetui.gateway.models import (
    Comment,
    Frame,
    Host,
    Job,
    Layer,
    M,
    Proc,
    Show,
    UpdatedFrame,
    UpdatedFrames,
    _enum,
    decode_answer,
    decode_list,
    share,
    unwrap_seq,
)
from cuetui.gateway.requests import Call, FrameSearch, HostSearch, JobSearch, ProcSearch, Requester
from cuetui.gateway.reuse import ListReuse
from cuetui.gateway.transport import GatewayTransport
from cuetui.schema import RPCS

DEFAULT_TIMEOUT = 30.0
# The whole of one request -- connect, send, every byte of the answer -- must fit in this many seconds.
# httpx's own timeouts are per read, so a gateway trickling a byte a second would never trip them.
DEFAULT_DEADLINE = 10.0
# The most an answer may hold once decompressed. A 50 000-frame page (the biggest legitimate answer) is
# about 28 MB; a gzip bomb or a runaway body stops here instead of filling memory.
DEFAULT_MAX_ANSWER_BYTES = 128 * 1024 * 1024
# GetUpdatedFrames hangs forever when Cuebot dislikes lastCheck; the gateway turns this header into a 504.
UPDATED_FRAMES_GRPC_TIMEOUT = 10
DEFAULT_PAGE_SIZE = 1000
PAGE_CONCURRENCY = 4
MODELS = "\x00models"  # the key of `call(..., elements=...)`'s answer; no JSON key of the gateway's
ANSWER = "\x00answer"  # the key of `call(..., typed=True)`'s answer, likewise
DECODE_SLICE = 250  # models decoded between two turns of the event loop (~5 ms of work)


def _environment_proxies() -> bool:
    """True when the environment names an HTTP proxy: httpx's own transport then sends through it (and
    honours NO_PROXY), as the client always has; the aiohttp transport is for direct connections."""
    return any(
        os.environ.get(name) for base in ("http_proxy", "https_proxy", "all_proxy") for name in (base, base.upper())
    )


def _describe_transport_error(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text or "all connection attempts failed" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return "host name not found"
        if "certificate" in text or "ssl" in text:
            return f"TLS error ({printable(str(exc), 120)})"
        return printable(str(exc), 120) or "cannot connect"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connection dropped"
    return printable(str(exc), 120) or type(exc).__name__


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole (and within the size limit): status, headers and the body's bytes."""

    status_code: int
    content: bytes
    headers: httpx.Headers = field(default_factory=httpx.Headers)


class GatewayClient:
    """Async client of one OpenCue REST Gateway.

    `auth` is an httpx.Auth (see cuetui.gateway.auth); `verify` is True, False or a CA bundle path.
    `deadline` bounds each request as a whole (seconds, send and the whole answer); `max_answer_bytes`
    bounds an answer's decompressed size. Use as `async with GatewayClient(url, auth) as client: ...`
    or call `aclose()`.
    """

    def __init__(
        self,
        url: str,
        auth: httpx.Auth | None = None,
        *,
        verify: bool | str | ssl.SSLContext = True,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        requester: Requester | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.url = url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.deadline = deadline
        self.max_answer_bytes = max_answer_bytes
        self.requester = requester or Requester.local()
        # The gateway's clock, from the HTTP Date header of the last answer (for skew checks).
        self.server_date: float | None = None
        self.local_date: float | None = None
        self.requests_sent = 0
        self.bytes_received = 0
        self._urls: dict[str, httpx.URL] = {}
        self._job_reuse: ListReuse[Job] = ListReuse("jobs", Job.from_json, Job.from_bytes)
        if verify is True and self.url.lower().startswith("http://"):
            # Plain HTTP needs no CA bundle, and loading one costs a tenth of a second or more at
            # every start. A context without CAs still fails closed if TLS turns up (an https proxy).
            verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if transport is None and not _environment_proxies():
            # httpx's API with aiohttp's transport under it (once imported): a fifth of the CPU per byte.
            transport = GatewayTransport(
                verify=verify, max_connections=PAGE_CONCURRENCY * 2, max_keepalive=PAGE_CONCURRENCY
            )
        self._http = httpx.AsyncClient(
            base_url=self.url,
            auth=auth,
            verify=verify,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={
                "User-Agent": f"cuetui/{__version__}",
                "Content-Type": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            limits=httpx.Limits(max_connections=PAGE_CONCURRENCY * 2, max_keepalive_connections=PAGE_CONCURRENCY),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- transport ----------------------------------------------------------------------------------

    async def call(
        self,
        call: Call,
        *,
        timeout: float | None = None,
        grpc_timeout: int | None = None,
        elements: ListReuse[Any] | None = None,
        typed: bool = False,
    ) -> dict[str, Any]:
        """Send one call and return the decoded JSON object; every failure is a GatewayError.

        With `elements`, a list answer it can decode element by element comes back as
        `{MODELS: [models]}` instead; with `typed`, an answer the fast path decodes (into the schema's
        response type for the call's path) comes back as `{ANSWER: answer}`. These options are the only
        way in for wrappers such as farm.reads' retries, so every read goes through here."""
        response = await self._send(call, timeout=timeout, grpc_timeout=grpc_timeout)
        if elements is not None and response.status_code == 200:
            models = await elements.decode(response.content)
            if models is not None:
                return {MODELS: models}
        if typed and response.status_code == 200:
            answer = decode_answer(RPCS[call.path][1], response.content)
            if answer is not None:
                return {ANSWER: answer}
        return self._decode(call, response)

    async def _answer(
        self, call: Call, *, timeout: float | None = None, grpc_timeout: int | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Send one call: `(answer, {})` with the answer decoded by the fast path straight from the
        bytes, or `(None, JSON object)` when the fast path rejected it, for the tolerant decoders."""
        data = await self.call(call, timeout=timeout, grpc_timeout=grpc_timeout, typed=True)
        if ANSWER in data:
            return data[ANSWER], {}
        return None, data

    async def _send(self, call: Call, *, timeout: float | None = None, grpc_timeout: int | None = None) -> Answer:
        """Send one call and return the answer, whatever its status; a transport failure, an answer
        that does not arrive whole within the deadline (`timeout`, else the client's) or one past the
        size limit is a GatewayError."""
        self._check_token()
        headers = {"Grpc-Timeout": f"{grpc_timeout}S"} if grpc_timeout else None
        body = orjson.dumps(call.body)
        deadline = timeout if timeout is not None else self.deadline

        async def exchange() -> tuple[httpx.Response, bytes]:
            request = self._http.build_request(
                "POST",
                self._url_of(call.path),
                content=body,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            response = await self._http.send(request, stream=True)
            try:
                return response, await read_bounded(response, self.max_answer_bytes)
            finally:
                await response.aclose()
                answer.forget(response)

        try:
            # One deadline over the whole exchange, so a trickling or endless body ends too.
            response, content = await asyncio.wait_for(exchange(), deadline)
        except (asyncio.TimeoutError, httpx.TimeoutException) as exc:
            if grpc_timeout:
                raise DeadlineExceeded(
                    f"{_method(call)} did not answer within {grpc_timeout} s", self.url, status=0, code=4
                ) from None
            if isinstance(exc, asyncio.TimeoutError):
                raise RequestDeadline(
                    f"gateway unreachable at {self.url}: no whole answer within {deadline:g} s (request_deadline)",
                    self.url,
                ) from None
            raise Unreachable(
                f"gateway unreachable at {self.url}: {_describe_transport_error(exc)}", self.url
            ) from None
        except answer.AnswerTooLarge as exc:
            raise AnswerTooLarge(
                f"{_method(call)}: gateway sent an answer larger than {describe_size(exc.limit)} "
                "(max_answer_mb); refused",
                self.url,
            ) from None
        except UnreadableEncoding as exc:
            raise BadResponse(f"{_method(call)}: {exc}", self.url) from None
        except httpx.HTTPError as exc:
            raise Unreachable(
                f"gateway unreachable at {self.url}: {_describe_transport_error(exc)}", self.url
            ) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # e.g. a host name that is not valid IDNA
            raise Unreachable(
                f"gateway URL {self.url[:80]!r} is not usable: {printable(str(exc), 120)}", self.url
            ) from None
        except OSError as exc:  # e.g. a CA bundle path that does not exist
            raise Unreachable(f"gateway unreachable at {self.url}: {printable(str(exc), 120)}", self.url) from None
        self.requests_sent += 1
        self.bytes_received += len(content)
        result = Answer(response.status_code, content, response.headers)
        self._note_date(result)
        return result

    def _url_of(self, path: str) -> httpx.URL:
        """The absolute URL of a call's path, parsed once: merging a relative path into the base URL
        at every request was most of httpx's cost of building one."""
        url = self._urls.get(path)
        if url is None:
            # As httpx merges a path into base_url: appended to the base's own path (a gateway behind a
            # prefix keeps it).
            url = httpx.URL(self.url + "/" + path.lstrip("/"))
            if len(self._urls) < 512:
                self._urls[path] = url
        return url

    def _check_token(self) -> None:
        expired = getattr(self.auth, "expired", None)
        if getattr(self.auth, "kind", None) == "fixed" and callable(expired) and expired():
            raise TokenExpired(
                "token expired: set a new JWT_TOKEN (or use JWT_SECRET to let cuetui renew it)", self.url, expired=True
            )

    def _note_date(self, response: Answer) -> None:
        date = response.headers.get("date")
        if not date:
            return
        try:
            self.server_date = email.utils.parsedate_to_datetime(date).timestamp()
            self.local_date = time.time()
        except (TypeError, ValueError):
            pass

    def _decode(self, call: Call, response: Answer) -> dict[str, Any]:
        status = response.status_code
        content = response.content
        if status == 401:
            detail = content.decode("utf-8", "replace").strip()
            expired = "expired" in detail.lower()
            if getattr(self.auth, "kind", None) == "fixed" and expired:
                raise TokenExpired(
                    "token expired: set a new JWT_TOKEN (or use JWT_SECRET to let cuetui renew it)",
                    self.url,
                    detail=detail,
                    expired=True,
                )
            hint = "" if self.auth is not None else " (no JWT_SECRET or JWT_TOKEN configured)"
            raise Unauthorized(
                f"gateway refused the token{hint}: {printable(detail, 160) or 'HTTP 401'}",
                self.url,
                detail=detail,
                expired=expired,
            )
        if not content.strip() and 200 <= status < 300:
            # The gateway answers `{}` even for calls with nothing to say; no bytes at all is a proxy or
            # a dropped answer, and decoding it as "no jobs" would empty the screens.
            raise BadResponse(f"{_method(call)}: gateway sent an empty answer (HTTP {status})", self.url, status=status)
        try:
            data = orjson.loads(content) if content else {}
        except orjson.JSONDecodeError:
            snippet = content[:80].decode("utf-8", "replace")
            kind = (
                "an HTML page" if snippet.lstrip().lower().startswith(("<!doctype", "<html")) else "a non-JSON answer"
            )
            if 200 <= status < 300:
                kind = "a truncated or non-JSON answer" if content.lstrip()[:1] in (b"{", b"[") else kind
            raise BadResponse(
                f"{_method(call)}: gateway sent {kind} (HTTP {status}): {printable(snippet, 60)!r}",
                self.url,
                status=status,
                snippet=snippet,
            ) from None
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise BadResponse(f"{_method(call)}: gateway sent JSON that is not an object", self.url, status=status)
            return data
        code, message = 0, ""
        if isinstance(data, dict):
            raw_code = data.get("code")
            code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else 0
            message = str(data.get("message") or "")
        raise status_error(_method(call), self.url, status, code, message)

    def clock_skew(self) -> float | None:
        """Seconds the gateway's clock is ahead of ours (from the last answer's Date header), or None."""
        if self.server_date is None or self.local_date is None:
            return None
        return self.server_date - self.local_date

    # --- shows --------------------------------------------------------------------------------------

    async def get_shows(self) -> list[Show]:
        """All shows."""
        fast, data = await self._answer(rq.get_shows())
        if fast is not None:
            return _fast_list(fast.shows, "shows", "shows", self.url)
        return decode_list(_required_seq(data, "shows", self.url), Show.from_json)

    async def get_active_shows(self) -> list[Show]:
        """Active shows."""
        fast, data = await self._answer(rq.get_active_shows())
        if fast is not None:
            return _fast_list(fast.shows, "shows", "shows", self.url)
        return decode_list(_required_seq(data, "shows", self.url), Show.from_json)

    async def find_show(self, name: str) -> Show:
        """A show by exact name; NotFound when there is none."""
        fast, data = await self._answer(rq.find_show(name))
        if fast is not None and fast.show is not None:
            return fast.show  # type: ignore[no-any-return]
        return Show.from_json(_required(data or {}, "show", self.url))

    # --- jobs ---------------------------------------------------------------------------------------

    async def get_jobs(self, search: JobSearch | None = None) -> list[Job]:
        """Jobs matching `search` (every pending job of every show when None)."""
        # Most jobs are as they were at the last poll: parse only those that changed.
        data = await self.call(rq.get_jobs(search or JobSearch()), elements=self._job_reuse)
        if MODELS in data:
            # The reused models had their strings shared when they were first parsed.
            share(self._job_reuse.fresh)
            jobs: list[Job] = data[MODELS]
            return jobs
        return share(await _decode_in_slices(_required_seq(data, "jobs", self.url), Job.from_json))

    async def get_job(self, job_id: str) -> Job:
        """A job by id, finished or not."""
        fast, data = await self._answer(rq.get_job(job_id))
        if fast is not None and fast.job is not None:
            return fast.job  # type: ignore[no-any-return]
        return Job.from_json(_required(data or {}, "job", self.url))

    async def find_job(self, name: str) -> Job:
        """A pending job by exact name."""
        fast, data = await self._answer(rq.find_job(name))
        if fast is not None and fast.job is not None:
            return fast.job  # type: ignore[no-any-return]
        return Job.from_json(_required(data or {}, "job", self.url))

    async def get_layers(self, job_id: str) -> list[Layer]:
        """The layers of a job."""
        fast, data = await self._answer(rq.get_layers(job_id))
        if fast is not None:
            return _fast_list(fast.layers, "layers", "layers", self.url)
        return decode_list(_required_seq(data, "layers", self.url), Layer.from_json)

    async def get_frames(
        self, job_id: str, search: FrameSearch | None = None, *, page: int = 1, limit: int = DEFAULT_PAGE_SIZE
    ) -> list[Frame]:
        """One page of a job's frames (Cuebot pages are 1-based; a short page is the last)."""
        fast, data = await self._answer(rq.get_frames(job_id, search or FrameSearch(), page, limit))
        if fast is not None:
            return _fast_list(fast.frames, "frames", "frames", self.url)
        return await _decode_in_slices(_required_seq(data, "frames", self.url), Frame.from_json)

    async def iter_frame_pages(
        self,
        job_id: str,
        search: FrameSearch | None = None,
        *,
        expected: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        concurrency: int = PAGE_CONCURRENCY,
    ) -> AsyncIterator[list[Frame]]:
        """Every page of a job's frames, in order. With `expected` (e.g. jobStats.totalFrames) the
        known pages are fetched with `concurrency` requests in flight (a new one as each page is taken,
        so the gateway never waits on the slowest of a batch, and pages decode while others travel);
        then pages follow one by one until a short one, since the response has no total of its own."""
        search = search or FrameSearch()
        page = 1
        if expected and expected > page_size:
            known_pages = math.ceil(expected / page_size)
            in_flight: dict[int, asyncio.Task[list[Frame]]] = {}
            following = 1
            try:
                while page <= known_pages:
                    while following <= known_pages and len(in_flight) < concurrency:
                        in_flight[following] = asyncio.ensure_future(
                            self.get_frames(job_id, search, page=following, limit=page_size)
                        )
                        following += 1
                    frames = await in_flight.pop(page)
                    yield frames
                    if len(frames) < page_size:
                        return
                    page += 1
            finally:
                for task in in_flight.values():
                    task.cancel()
                if in_flight:
                    await asyncio.gather(*in_flight.values(), return_exceptions=True)
        while True:
            frames = await self.get_frames(job_id, search, page=page, limit=page_size)
            yield frames
            if len(frames) < page_size:
                return
            page += 1

    async def get_all_frames(
        self,
        job_id: str,
        search: FrameSearch | None = None,
        *,
        expected: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> list[Frame]:
        """Every frame of a job matching `search`, once each (pages can shift while frames change)."""
        seen: set[str] = set()
        out: list[Frame] = []
        async for frames in self.iter_frame_pages(job_id, search, expected=expected, page_size=page_size):
            known = len(seen)
            seen.update(map(_frame_id, frames))
            if len(seen) - known == len(frames):  # nothing seen before, none twice: the usual case
                out.extend(frames)
                continue
            kept = {frame.id for frame in out}
            for frame in frames:
                if frame.id not in kept:
                    kept.add(frame.id)
                    out.append(frame)
        return out

    async def get_updated_frames(
        self,
        job_id: str,
        last_check: int,
        layer_ids: Sequence[str] = (),
        *,
        grpc_timeout: int = UPDATED_FRAMES_GRPC_TIMEOUT,
    ) -> UpdatedFrames:
        """Frames changed since `last_check`, the job's state and Cuebot's clock (`server_time`, the
        next `last_check`). Raises DeadlineExceeded when Cuebot does not answer (lastCheck too old)."""
        fast, data = await self._answer(
            rq.get_updated_frames(job_id, last_check, layer_ids),
            grpc_timeout=grpc_timeout,
            timeout=grpc_timeout + 5.0,
        )
        if fast is not None:
            updated = _fast_seq(fast.updated_frames, "updatedFrames", self.url).updated_frames
            return UpdatedFrames(state=fast.state, server_time=fast.server_time, frames=tuple(updated))
        frames = decode_list(
            _required_seq(data, "updatedFrames", self.url, alias="updated_frames"), UpdatedFrame.from_json
        )
        state = _enum(data.get("state", "PENDING"), "JobState")
        server_time = data.get("serverTime", data.get("server_time", 0))
        try:
            server_time = int(server_time)
        except (TypeError, ValueError):
            server_time = 0
        return UpdatedFrames(state=state, server_time=server_time, frames=tuple(frames))

    async def get_frame(self, frame_id: str) -> Frame:
        """A frame by id."""
        fast, data = await self._answer(rq.get_frame(frame_id))
        if fast is not None and fast.frame is not None:
            return fast.frame  # type: ignore[no-any-return]
        return Frame.from_json(_required(data or {}, "frame", self.url))

    async def get_job_comments(self, job_id: str) -> list[Comment]:
        """A job's comments, oldest first."""
        fast, data = await self._answer(rq.get_job_comments(job_id))
        if fast is not None:
            return _fast_list(fast.comments, "comments", "comments", self.url)
        return decode_list(_required_seq(data, "comments", self.url), Comment.from_json)

    async def add_job_comment(self, job_id: str, subject: str, message: str) -> None:
        """Add a comment to a job as this user."""
        await self.call(rq.add_job_comment(job_id, self.requester.username, subject, message))

    # --- job and frame actions -----------------------------------------------------------------------

    async def pause_job(self, job_id: str) -> None:
        """Pause a job."""
        await self.call(rq.pause_job(job_id))

    async def resume_job(self, job_id: str) -> None:
        """Resume a paused job."""
        await self.call(rq.resume_job(job_id))

    async def kill_job(self, job_id: str, reason: str) -> None:
        """Kill a job (asynchronous on Cuebot's side); `reason` must not be empty."""
        await self.call(rq.kill_job(job_id, reason, self.requester))

    async def set_priority(self, job_id: str, priority: int) -> None:
        """Set a job's priority."""
        await self.call(rq.set_priority(job_id, priority))

    async def set_min_cores(self, job_id: str, cores: float) -> None:
        """Set a job's minimum cores."""
        await self.call(rq.set_min_cores(job_id, cores))

    async def set_max_cores(self, job_id: str, cores: float) -> None:
        """Set a job's maximum cores."""
        await self.call(rq.set_max_cores(job_id, cores))

    async def retry_frames(self, job_id: str, search: FrameSearch) -> None:
        """Retry every frame matching `search` (refused when `search` is empty)."""
        await self.call(rq.retry_frames(job_id, search))

    async def eat_frames(self, job_id: str, search: FrameSearch) -> None:
        """Eat every frame matching `search` (refused when `search` is empty)."""
        await self.call(rq.eat_frames(job_id, search))

    async def kill_frames(self, job_id: str, search: FrameSearch, reason: str) -> None:
        """Kill the running frames matching `search`."""
        await self.call(rq.kill_frames(job_id, search, reason, self.requester))

    async def retry_frame(self, frame_id: str) -> None:
        """Retry one frame."""
        await self.call(rq.retry_frame(frame_id))

    async def eat_frame(self, frame_id: str) -> None:
        """Eat one frame."""
        await self.call(rq.eat_frame(frame_id))

    async def kill_frame(self, frame_id: str, reason: str) -> None:
        """Kill one running frame."""
        await self.call(rq.kill_frame(frame_id, reason, self.requester))

    # --- job and layer settings ----------------------------------------------------------------------

    async def set_job_min_gpus(self, job_id: str, gpus: int) -> None:
        """Set a job's minimum GPUs."""
        await self.call(rq.set_job_min_gpus(job_id, gpus))

    async def set_job_max_gpus(self, job_id: str, gpus: int) -> None:
        """Set a job's maximum GPUs."""
        await self.call(rq.set_job_max_gpus(job_id, gpus))

    async def set_max_retries(self, job_id: str, retries: int) -> None:
        """Set a job's maximum retries."""
        await self.call(rq.set_max_retries(job_id, retries))

    async def set_auto_eat(self, job_id: str, value: bool) -> None:
        """Turn a job's auto-eat on or off."""
        await self.call(rq.set_auto_eat(job_id, value))

    async def delete_comment(self, comment_id: str) -> None:
        """Delete one comment by id."""
        await self.call(rq.delete_comment(comment_id))

    async def set_layer(self, layer_id: str, setting: str, value: object) -> None:
        """Send one LayerInterface setting: `setting` names the builder (`min_memory` ->
        `set_layer_min_memory`), `value` its value."""
        build = getattr(rq, f"set_layer_{setting}", None)
        if build is None:
            raise ValueError(f"no layer setting {setting!r}")
        await self.call(build(layer_id, value))

    async def mark_layer_done(self, layer_id: str) -> None:
        """Mark a layer done (MarkdoneFrames)."""
        await self.call(rq.mark_layer_done(layer_id))

    # --- hosts and procs -------------------------------------------------------------------------------

    async def get_hosts(self, search: HostSearch | None = None) -> list[Host]:
        """Hosts matching `search` (all when None)."""
        fast, data = await self._answer(rq.get_hosts(search or HostSearch()))
        if fast is not None:
            return _fast_list(fast.hosts, "hosts", "hosts", self.url)
        return await _decode_in_slices(_required_seq(data, "hosts", self.url), Host.from_json)

    async def get_host(self, host_id: str) -> Host:
        """A host by id."""
        fast, data = await self._answer(rq.get_host(host_id))
        if fast is not None and fast.host is not None:
            return fast.host  # type: ignore[no-any-return]
        return Host.from_json(_required(data or {}, "host", self.url))

    async def find_host(self, name: str) -> Host:
        """A host by exact name."""
        fast, data = await self._answer(rq.find_host(name))
        if fast is not None and fast.host is not None:
            return fast.host  # type: ignore[no-any-return]
        return Host.from_json(_required(data or {}, "host", self.url))

    async def get_host_procs(self, host_id: str) -> list[Proc]:
        """The procs running on one host."""
        fast, data = await self._answer(rq.get_host_procs(host_id))
        if fast is not None:
            return _fast_list(fast.procs, "procs", "procs", self.url)
        return decode_list(_required_seq(data, "procs", self.url), Proc.from_json)

    async def get_procs(self, search: ProcSearch) -> list[Proc]:
        """Procs matching `search` (by host, job, layer, show or allocation names)."""
        fast, data = await self._answer(rq.get_procs(search))
        if fast is not None:
            return _fast_list(fast.procs, "procs", "procs", self.url)
        return decode_list(_required_seq(data, "procs", self.url), Proc.from_json)

    async def lock_host(self, host_id: str) -> None:
        """Lock a host."""
        await self.call(rq.lock_host(host_id))

    async def unlock_host(self, host_id: str) -> None:
        """Unlock a host."""
        await self.call(rq.unlock_host(host_id))

    async def reboot_host(self, host_id: str) -> None:
        """Reboot a host now."""
        await self.call(rq.reboot_host(host_id))

    async def reboot_host_when_idle(self, host_id: str) -> None:
        """Reboot a host when idle."""
        await self.call(rq.reboot_host_when_idle(host_id))

    # --- frame order, procs and host settings ---------------------------------------------------------

    async def reorder_frames(self, job_id: str, frame_range: str, order: str, layer_id: str = "") -> None:
        """Move frames of a job (or of one layer, by id) FIRST / LAST in dispatch order, or REVERSE them."""
        if layer_id:
            await self.call(rq.layer_reorder_frames(layer_id, frame_range, order))
        else:
            await self.call(rq.reorder_frames(job_id, frame_range, order))

    async def stagger_frames(self, job_id: str, frame_range: str, increment: int, layer_id: str = "") -> None:
        """Stagger frames of a job (or of one layer, by id) by `increment`."""
        if layer_id:
            await self.call(rq.layer_stagger_frames(layer_id, frame_range, increment))
        else:
            await self.call(rq.stagger_frames(job_id, frame_range, increment))

    async def mark_as_waiting(self, job_id: str, search: FrameSearch) -> None:
        """Frames matching `search` become WAITING (refused when `search` is empty)."""
        await self.call(rq.mark_as_waiting(job_id, search))

    async def kill_proc(self, proc_id: str) -> None:
        """Kill a proc's frame."""
        await self.call(rq.kill_proc(proc_id))

    async def unbook_proc(self, proc_id: str, kill: bool) -> None:
        """Unbook a proc (with `kill`, its frame is killed now)."""
        await self.call(rq.unbook_proc(proc_id, kill))

    async def add_host_tags(self, host_id: str, tags: Sequence[str]) -> None:
        """Add tags to a host."""
        await self.call(rq.add_host_tags(host_id, tags))

    async def remove_host_tags(self, host_id: str, tags: Sequence[str]) -> None:
        """Remove tags from a host."""
        await self.call(rq.remove_host_tags(host_id, tags))

    async def set_host_allocation(self, host_id: str, allocation_id: str) -> None:
        """Move a host to another allocation."""
        await self.call(rq.set_host_allocation(host_id, allocation_id))

    async def set_hardware_state(self, host_id: str, state: str) -> None:
        """Set a host's hardware state (UP, REPAIR, ...)."""
        await self.call(rq.set_hardware_state(host_id, state))

    async def get_allocation_names(self) -> list[tuple[str, str]]:
        """(id, name) of every allocation, by name (for the host's allocation picker)."""
        data = await self.call(rq.get_all_allocations())
        out = []
        for item in _required_seq(data, "allocations", self.url):
            if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str):
                out.append((item["id"], item["name"]))
        return sorted(out, key=lambda pair: pair[1])

    async def get_host_comments(self, host_id: str) -> list[Comment]:
        """A host's comments, oldest first."""
        fast, data = await self._answer(rq.get_host_comments(host_id))
        if fast is not None:
            return _fast_list(fast.comments, "comments", "comments", self.url)
        return decode_list(_required_seq(data, "comments", self.url), Comment.from_json)

    async def add_host_comment(self, host_id: str, subject: str, message: str) -> None:
        """Add a comment to a host as this user."""
        await self.call(rq.add_host_comment(host_id, self.requester.username, subject, message))

    # --- dependencies, subscriptions, allocations, limits, groups -------------------------------------

    async def _list(self, call: Call, key: str, model: Callable[[Any], M]) -> list[M]:
        data = await self.call(call)
        return decode_list(_required_seq(data, key, self.url), model)

    async def what_this_depends_on(self, what: str, entity_id: str) -> list[Depend]:
        """What a job, layer or frame ("job"/"layer"/"frame") waits on."""
        return await self._list(rq.what_this_depends_on(what, entity_id), "depends", Depend.from_json)

    async def what_depends_on_this(self, what: str, entity_id: str) -> list[Depend]:
        """What waits on a job, layer or frame."""
        return await self._list(rq.what_depends_on_this(what, entity_id), "depends", Depend.from_json)

    async def drop_depends(self, what: str, entity_id: str, target: str) -> None:
        """Satisfy a job's, layer's or frame's dependencies on INTERNAL, EXTERNAL or ANY_TARGET."""
        await self.call(rq.drop_depends(what, entity_id, target))

    async def satisfy_depend(self, depend_id: str) -> None:
        """Satisfy one dependency."""
        await self.call(rq.satisfy_depend(depend_id))

    async def get_show_subscriptions(self, show_id: str) -> list[Subscription]:
        """A show's subscriptions."""
        return await self._list(rq.get_show_subscriptions(show_id), "subscriptions", Subscription.from_json)

    async def set_subscription_size(self, subscription_id: str, size: int) -> None:
        """`size` in core units (hundredths of a core), as the protocol takes it."""
        await self.call(rq.set_subscription_size(subscription_id, size))

    async def set_subscription_burst(self, subscription_id: str, burst: int) -> None:
        """`burst` in core units (hundredths of a core)."""
        await self.call(rq.set_subscription_burst(subscription_id, burst))

    async def get_allocations(self) -> list[Allocation]:
        """Every allocation."""
        return await self._list(rq.get_allocations(), "allocations", Allocation.from_json)

    async def get_allocation_hosts(self, allocation_id: str) -> list[Host]:
        """The hosts of an allocation."""
        return await self._list(rq.get_allocation_hosts(allocation_id), "hosts", Host.from_json)

    async def get_limits(self) -> list[Limit]:
        """Every limit."""
        return await self._list(rq.get_limits(), "limits", Limit.from_json)

    async def get_show_groups(self, show_id: str) -> list[Group]:
        """A show's groups."""
        return await self._list(rq.get_show_groups(show_id), "groups", Group.from_json)


async def _decode_in_slices(items: Any, model: Callable[[Any], M]) -> list[M]:
    """decode_list, letting the event loop run between slices: 5 000 jobs take a few hundred ms to
    decode, which in one go would freeze the screen that polls them."""
    if not isinstance(items, list) or len(items) <= DECODE_SLICE:
        return decode_list(items, model)
    out: list[M] = []
    for start in range(0, len(items), DECODE_SLICE):
        if start:
            await asyncio.sleep(0)
        out.extend(decode_list(items[start : start + DECODE_SLICE], model))
    return out


_frame_id = operator.attrgetter("id")


def _method(call: Call) -> str:
    return call.path.rsplit("/", 1)[-1]


def _required_seq(data: dict[str, Any], key: str, url: str, *, alias: str | None = None) -> list[Any]:
    """The list of a list answer, `{"jobs":{"jobs":[...]}}` (or flat `{"jobs":[...]}`); BadResponse when
    the answer does not hold it: a missing list is never read as an empty farm."""
    for name in (key, alias) if alias else (key,):
        if name in data:
            seq = unwrap_seq(data, name)
            if isinstance(seq, list):
                return seq
            raise BadResponse(f"gateway answer's {name!r} holds no list", url)
    raise BadResponse(f"gateway answer has no {key!r} list", url)


def _fast_list(wrapper: Any, attr: str, key: str, url: str) -> list[Any]:
    """The list inside the wrapper message of a list answer the fast path decoded."""
    items = getattr(_fast_seq(wrapper, key, url), attr)
    return items if isinstance(items, list) else list(items)


def _fast_seq(wrapper: Any, key: str, url: str) -> Any:
    """The wrapper message of a list answer decoded by the fast path; BadResponse when the answer had
    none (a missing list is never read as an empty farm, on either path)."""
    if wrapper is None:
        raise BadResponse(f"gateway answer has no {key!r} list", url)
    return wrapper


def _required(data: dict[str, Any], key: str, url: str) -> Any:
    value = data.get(key)
    if not isinstance(value, dict):
        raise BadResponse(f"gateway answer has no {key!r} object", url)
    return value


__all__ = ["GatewayClient", "GatewayError"]
