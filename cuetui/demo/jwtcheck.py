"""The gateway's JWT middleware (protocol §1.3): golang-jwt v5 parsing with the exact 401 texts.

PyJWT's messages and rules differ (it accepts padding, checks `iat`, ...), so the check is written out:
three base64url segments without padding, header alg looked up, HMAC only, signature, then `exp`/`nbf`
only when present.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time

_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
# Signing methods golang-jwt knows; any other alg is "unavailable".
_KNOWN = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA", "none"}
_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class TokenError(Exception):
    """A rejected token; str() is the full 401 body without the newline."""


def _b64(segment: str, what: str) -> bytes:
    import base64

    clean = []
    for pos, ch in enumerate(segment):
        if ch in "\r\n":
            continue
        if ch not in _ALPHABET:
            raise TokenError(
                f"token is malformed: could not base64 decode {what}: illegal base64 data at input byte {pos}"
            )
        clean.append(ch)
    text = "".join(clean)
    if len(text) % 4 == 1:
        raise TokenError(
            f"token is malformed: could not base64 decode {what}: illegal base64 data at input byte {len(segment) - 1}"
        )
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _go_constant(name: str) -> object:
    # Go's encoding/json has no NaN or Infinity: `{"exp": Infinity}` is not JSON to the gateway.
    if name.startswith("-"):
        raise ValueError("invalid character 'I' in numeric literal")
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def _go_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"json: cannot unmarshal number {text} into Go value of type float64")
    return value


def _go_int(text: str) -> float | int:
    # golang-jwt decodes numbers into float64: an integer past float64 does not decode.
    value = int(text)
    if abs(value) > 2**1023 * 2:
        raise ValueError(f"json: cannot unmarshal number {text[:40]} into Go value of type float64")
    return value


def _go_json(raw: bytes) -> object:
    """JSON as Go's encoding/json reads it into interface{} (no NaN/Infinity, numbers as float64)."""
    return json.loads(raw, parse_constant=_go_constant, parse_float=_go_float, parse_int=_go_int)


# Go's time.Unix adds the seconds from year 1 to 1970 to an int64: a later exp wraps around to the
# distant past, so the real gateway calls `{"exp": 1e19}` (or 9.2233720e18) expired.
_GO_UNIX_TO_INTERNAL = 62_135_596_800


def _wraps_go_time(seconds: float) -> bool:
    return seconds >= 2**63 or int(seconds) + _GO_UNIX_TO_INTERNAL > 2**63 - 1


def _number(claims: dict[str, object], name: str) -> float | None:
    if name not in claims:
        return None  # golang-jwt: a present but null claim is an invalid type, an absent one is fine
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenError(f"token has invalid claims: invalid type for claim: {name} is invalid")
    return float(value)


def validate(header_value: str | None, secret: bytes, now: float | None = None) -> None:
    """Raise TokenError with the gateway's text unless the Authorization value is acceptable."""
    if not header_value:
        raise TokenError("Authorization header required")
    token = header_value[7:] if header_value.startswith("Bearer ") else header_value
    try:
        _validate_token(token, secret, time.time() if now is None else now)
    except TokenError as err:
        raise TokenError(f"Token validation error: {err}") from None


def _validate_token(token: str, secret: bytes, now: float) -> None:
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("token is malformed: token contains an invalid number of segments")
    header_raw = _b64(parts[0], "header")
    try:
        header = _go_json(header_raw)
    except ValueError as err:
        raise TokenError(f"token is malformed: could not JSON decode header: {err}") from None
    claims_raw = _b64(parts[1], "claim")
    try:
        claims = _go_json(claims_raw)
    except ValueError as err:
        raise TokenError(f"token is malformed: could not JSON decode claim: {err}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("token is malformed: could not JSON decode claim: not an object")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise TokenError("token is unverifiable: signing method (alg) is unspecified")
    if alg not in _HMAC and alg not in _KNOWN:
        raise TokenError("token is unverifiable: signing method (alg) is unavailable")
    signature = _b64(parts[2], "signature")
    if alg not in _HMAC:
        raise TokenError(f"token is unverifiable: error while executing keyfunc: Unexpected signing method: {alg}")
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), _HMAC[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        raise TokenError("token signature is invalid: signature is invalid")
    exp = _number(claims, "exp")
    if exp is not None and (not now < exp or _wraps_go_time(exp)):
        raise TokenError("token has invalid claims: token is expired")
    nbf = _number(claims, "nbf")
    if nbf is not None and now < nbf:
        raise TokenError("token has invalid claims: token is not valid yet")
