"""Requests in Redis are JSON: they round-trip, and anything else (a pickle) is refused."""

from __future__ import annotations

import json
import os
import pickle

import pytest
from scrapy import Request, Spider
from scrapy.http import FormRequest
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue

from crawler.distributed import job_keys, serializer
from crawler.distributed.serializer import RejectedPayload, UnserializableRequest, dumps, loads


class Pages(Spider):
    name = "pages"

    def parse_page(self, response):  # pragma: no cover - only named
        pass

    def on_error(self, failure):  # pragma: no cover - only named
        pass


class Exploit:
    """Unpickling this creates a directory: the proof that a payload was executed."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def round_trip(request: Request, spider: Spider) -> Request:
    return request_from_dict(loads(dumps(request.to_dict(spider=spider))), spider=spider)


def test_a_request_round_trips_with_bytes_body_headers_and_meta():
    spider = Pages()
    request = Request(
        "https://example.org/a?x=1",
        callback=spider.parse_page,
        errback=spider.on_error,
        method="POST",
        body=b"\x00\xff binary \xc3",
        headers={"If-None-Match": b'"etag"', "X-Raw": b"\xe9t\xe9"},
        meta={"site": "local", "link_depth": 2, "raw": b"\x01\x02", "redirect_urls": ["u"]},
        priority=-3,
        cb_kwargs={"page": 4},
    )
    back = round_trip(request, spider)
    assert back.url == request.url
    assert back.method == "POST"
    assert back.body == b"\x00\xff binary \xc3"
    assert back.headers.getlist("X-Raw") == [b"\xe9t\xe9"]
    assert back.headers.get("If-None-Match") == b'"etag"'
    assert back.meta == request.meta
    assert back.priority == -3
    assert back.cb_kwargs == {"page": 4}
    assert back.callback == spider.parse_page
    assert back.errback == spider.on_error


def test_scrapy_request_subclasses_round_trip():
    spider = Pages()
    request = FormRequest("https://example.org/f", formdata={"q": "ą"}, callback=spider.parse_page)
    back = round_trip(request, spider)
    assert type(back) is FormRequest
    assert back.body == request.body


def test_the_stored_form_is_json_without_pickle():
    data = dumps(Request("https://example.org/").to_dict())
    document = json.loads(data)
    assert document["format"] == "crawler.request/1"
    assert document["request"]["url"] == "https://example.org/"
    assert not data.startswith(b"\x80")


def test_a_pickled_payload_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / "executed"
    payload = pickle.dumps(Exploit(str(marker)))
    with pytest.raises(RejectedPayload, match="not a JSON request"):
        loads(payload)
    assert not marker.exists()
    pickle.loads(payload)  # the control: unpickling it does run code
    assert marker.exists()


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"url": "https://e.org/"}, "not a crawler.request/1 entry"),
        ({"format": "crawler.request/1", "request": []}, "no request"),
        ({"format": "crawler.request/1", "request": {"url": 3}}, "url is not a string"),
        (
            {"format": "crawler.request/1", "request": {"url": "u", "_class": "os.system"}},
            "not a Scrapy request",
        ),
        (
            {"format": "crawler.request/1", "request": {"url": "u", "callback": "__init__"}},
            "not a public spider method",
        ),
        (
            {"format": "crawler.request/1", "request": {"url": "u", "evil": 1}},
            "unexpected fields",
        ),
        (
            {"format": "crawler.request/1", "request": {"url": "u", "body": {"$bytes": "!!"}}},
            "malformed",
        ),
        ({"format": "crawler.request/1", "request": {"url": "u", "headers": {}}}, "headers"),
    ],
)
def test_foreign_entries_are_refused(document, reason):
    with pytest.raises(RejectedPayload, match=reason):
        loads(json.dumps(document).encode())


def test_a_request_with_non_json_meta_cannot_be_stored():
    with pytest.raises(UnserializableRequest, match="object"):
        dumps(Request("https://e.org/", meta={"thing": object()}).to_dict())


def test_through_scrapy_redis_queue_in_redis(redis_server, redis_job):
    spider = Pages()
    queue = PriorityQueue(redis_server, spider, job_keys(redis_job)["requests"], serializer)
    queue.push(Request("https://e.org/1", callback=spider.parse_page, body=b"\xff"))
    [raw] = redis_server.zrange(queue.key, 0, -1)
    assert json.loads(raw)["request"]["body"] == {"$bytes": "/w=="}
    back = queue.pop()
    assert (back.url, back.body, back.callback) == ("https://e.org/1", b"\xff", spider.parse_page)
