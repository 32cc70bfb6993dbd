"""``adapter_base.post_each``, the batch loop the HTTP channels share: a refused message fails alone,
an unreachable gateway fails the call before anything went out (the job retries) and otherwise leaves
the rest queued, and a judge's ``Later`` (throttled) leaves this message and the rest queued."""

from __future__ import annotations

import pytest

from yingji.notify.adapter_base import ChannelRefused, ChannelUnavailable, Later, post_each
from yingji.notify.channels import Message, Receipt, ReceiptState


def _batch(n: int) -> list[Message]:
    return [Message(None, f"s{i}", body="b", key=f"k{i}") for i in range(n)]


def _post(outcomes: dict[str, Exception | dict]):
    sent: list[str] = []

    def post(m: Message):
        sent.append(m.key)
        outcome = outcomes.get(m.key, {"ok": True})
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return post, sent


def _judge(m: Message, reply) -> Receipt:
    if reply.get("throttled"):
        raise Later("throttled (errcode 45009)")
    return Receipt(m.key, ReceiptState.DELIVERED, "test", reply.get("id"))


def _states(receipts: list[Receipt]) -> list[tuple]:
    return [(r.key, str(r.state), r.detail) for r in receipts]


def test_each_message_is_posted_and_judged_in_order():
    post, sent = _post({"k1": {"id": "x1"}})
    receipts = post_each("test", _batch(3), post, _judge)
    assert sent == ["k0", "k1", "k2"]
    assert _states(receipts) == [
        ("k0", "delivered", None),
        ("k1", "delivered", "x1"),
        ("k2", "delivered", None),
    ]
    assert {r.channel for r in receipts} == {"test"}


def test_a_refused_message_fails_alone():
    post, sent = _post({"k1": ChannelRefused("HTTP 400: bad token")})
    receipts = post_each("test", _batch(3), post, _judge)
    assert sent == ["k0", "k1", "k2"]
    assert _states(receipts) == [
        ("k0", "delivered", None),
        ("k1", "failed", "HTTP 400: bad token"),
        ("k2", "delivered", None),
    ]


def test_an_unreachable_gateway_fails_the_call_before_anything_went_out():
    post, sent = _post({"k0": ChannelUnavailable("http://gw: ConnectError")})
    with pytest.raises(ChannelUnavailable):
        post_each("test", _batch(3), post, _judge)
    assert sent == ["k0"]


def test_an_unreachable_gateway_mid_batch_leaves_the_rest_queued():
    post, sent = _post({"k1": ChannelUnavailable("http://gw: HTTP 503")})
    receipts = post_each("test", _batch(4), post, _judge)
    assert sent == ["k0", "k1"]  # nothing after the outage is tried
    assert _states(receipts) == [
        ("k0", "delivered", None),
        ("k1", "queued", "http://gw: HTTP 503"),
        ("k2", "queued", "http://gw: HTTP 503"),
        ("k3", "queued", "http://gw: HTTP 503"),
    ]


def test_throttled_leaves_this_message_and_the_rest_queued_even_first():
    post, sent = _post({"k0": {"throttled": True}})
    receipts = post_each("test", _batch(2), post, _judge)
    assert sent == ["k0"]
    assert _states(receipts) == [
        ("k0", "queued", "throttled (errcode 45009)"),
        ("k1", "queued", "throttled (errcode 45009)"),
    ]
