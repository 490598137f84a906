"""Requests in Redis as JSON, never pickle: the ``SCHEDULER_SERIALIZER`` of scrapy-redis.

scrapy-redis hands ``dumps`` the dict of ``Request.to_dict(spider=...)`` and gives what
``loads`` returns to ``scrapy.utils.request.request_from_dict``. Anyone who can write to the
Redis queue chooses what ``loads`` reads, so it parses JSON only (a pickle in the queue is
refused, never unpickled) and admits only what a request dict holds.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from scrapy import Request
from scrapy.http import FormRequest, JsonRequest, XmlRpcRequest

FORMAT = "crawler.request/1"
"""Marks an entry this serializer wrote."""

BYTES_TAG = "$bytes"
"""A bytes value travels as ``{"$bytes": "<base64>"}`` (bodies, header names and values)."""

_CLASSES = (FormRequest, JsonRequest, XmlRpcRequest)
REQUEST_CLASSES = frozenset(f"{cls.__module__}.{cls.__name__}" for cls in _CLASSES)
"""The ``_class`` values ``request_from_dict`` may load: Scrapy's request classes only."""

_FIELDS = frozenset(
    {"callback", "errback", "headers", "_class"}.union(
        *(cls.attributes for cls in (Request, *_CLASSES))
    )
)


class RejectedPayload(ValueError):
    """A queue entry that is not a request this serializer wrote; the message says why."""


class UnserializableRequest(TypeError):
    """A request whose meta, cookies or callback arguments are not plain JSON data."""


def dumps(request: dict[str, Any]) -> bytes:
    """Encode a request dict as JSON, bytes tagged and base64-encoded."""
    if "_class" in request and request["_class"] not in REQUEST_CLASSES:
        raise UnserializableRequest(f"{request['_class']} is not one of Scrapy's requests")
    headers = request.get("headers") or {}
    plain = {**request, "headers": [[name, list(values)] for name, values in headers.items()]}
    try:
        text = json.dumps(
            {"format": FORMAT, "request": plain},
            default=_encode_value,
            ensure_ascii=False,
            separators=(",", ":"),
        )
    except (TypeError, ValueError) as exc:
        raise UnserializableRequest(str(exc)) from None
    return text.encode("utf-8")


def _encode_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"a {type(value).__name__} value cannot be stored as JSON")


def loads(data: bytes | str) -> dict[str, Any]:
    """Decode an entry written by ``dumps``; RejectedPayload for anything else."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        envelope = json.loads(text, object_hook=_decode_object)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RejectedPayload("not a JSON request (a pickle or other foreign data)") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise RejectedPayload(f"not a {FORMAT} entry")
    request = envelope.get("request")
    if not isinstance(request, dict):
        raise RejectedPayload("no request in the entry")
    return _checked(request)


def _decode_object(obj: dict[str, Any]) -> Any:
    if BYTES_TAG not in obj:
        return obj
    value = obj[BYTES_TAG]
    if len(obj) != 1 or not isinstance(value, str):
        raise RejectedPayload(f"malformed {BYTES_TAG} value")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise RejectedPayload(f"malformed {BYTES_TAG} value") from None


def _checked(request: dict[str, Any]) -> dict[str, Any]:
    """The request dict, if it holds only what a request holds (headers back as a dict)."""
    unknown = set(request) - _FIELDS
    if unknown:
        raise RejectedPayload(f"unexpected fields {sorted(unknown)}")
    if not isinstance(request.get("url"), str):
        raise RejectedPayload("the url is not a string")
    if not isinstance(request.get("method", "GET"), str):
        raise RejectedPayload("the method is not a string")
    if "_class" in request and request["_class"] not in REQUEST_CLASSES:
        raise RejectedPayload(f"request class {request['_class']!r} is not a Scrapy request")
    for name in ("callback", "errback"):
        method = request.get(name)
        if method is not None and not (
            isinstance(method, str) and method.isidentifier() and not method.startswith("_")
        ):
            raise RejectedPayload(f"{name} {method!r} is not a public spider method name")
    if not isinstance(request.get("meta") or {}, dict):
        raise RejectedPayload("meta is not an object")
    headers = request.get("headers", [])
    if not isinstance(headers, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], list) for pair in headers
    ):
        raise RejectedPayload("malformed headers")
    return {**request, "headers": {name: values for name, values in headers}}
