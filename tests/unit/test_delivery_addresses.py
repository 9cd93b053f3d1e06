"""Where a webhook may go (domain/delivery/addresses.py; delivery issue "Safety"): only global
addresses, also behind IPv6 forms that embed an IPv4 one; https without user info; http only to
a literal loopback address when allowed. And the envelope's exact text."""

from __future__ import annotations

import ipaddress
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.delivery.addresses import NOT_GLOBAL, address_refusal, checked_url, embedded_ipv4
from beleg.domain.delivery.catalogue import BY_TOPIC, CATALOGUE, envelope, payload_text
from beleg.domain.delivery.webhooks import checked_event_types, kept_body, new_secret
from beleg.domain.errors import ValidationFailed

ipv4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)


@given(ipv4)
def test_an_ipv4_address_is_refused_exactly_when_it_is_not_global(
    address: ipaddress.IPv4Address,
) -> None:
    special = any(address in network for network in NOT_GLOBAL)
    assert (address_refusal(address) is None) == (
        address.is_global and not address.is_multicast and not special
    )


@given(ipv4)
def test_embedding_an_ipv4_address_in_ipv6_changes_nothing(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80) | 1)
    for wrapped in (mapped, nat64, sixtofour):
        assert embedded_ipv4(wrapped) == address
        assert address_refusal(wrapped) == address_refusal(address)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 -- an address to classify, not to bind
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "not-global"),  # carrier-grade NAT
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:169.254.169.254", "link-local"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_kinds(text: str, kind: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(text)) == kind


@pytest.mark.parametrize(
    "text", ["192.0.0.8", "fec0::1", "64:ff9b:1::a00:1", "2001:2::1", "198.18.0.1"]
)
def test_special_purpose_addresses_are_refused_whatever_python_calls_them(text: str) -> None:
    """Python 3.11's is_global calls the first two global; the IANA registries do not."""
    assert address_refusal(ipaddress.ip_address(text)) is not None


@pytest.mark.parametrize(
    ("url", "allowed", "code"),
    [
        ("http://example.com/", True, "delivery.webhook_url_not_https"),
        ("http://127.0.0.1:8080/", False, "delivery.webhook_url_not_https"),
        ("http://localhost:8080/", True, "delivery.webhook_url_not_https"),
        ("http://10.0.0.1/", True, "delivery.webhook_url_not_https"),
        ("https://10.0.0.1/", True, "delivery.webhook_address_refused"),
        ("https://[::1]/", False, "delivery.webhook_address_refused"),
        ("https://a:b@example.com/", False, "delivery.webhook_url_userinfo"),
        ("https://example.com/#x", False, "delivery.webhook_url_invalid"),
        ("https://example.com:99999/", False, "delivery.webhook_url_invalid"),
        ("https://exa mple.com/", False, "delivery.webhook_url_invalid"),
        ("https://" + "a" * 2000 + ".com/", False, "delivery.webhook_url_invalid"),
        ("mailto:x@example.com", False, "delivery.webhook_url_not_https"),
        ("https://" + "a" * 64 + ".example/", False, "delivery.webhook_url_invalid"),  # label > 63
    ],
)
def test_refused_urls(url: str, allowed: bool, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        checked_url(url, loopback_allowed=allowed)
    assert (refused.value.code, refused.value.field) == (code, "url")


def test_accepted_urls_and_their_targets() -> None:
    named = checked_url("https://Hooks.Example.com:8443/in?x=1", loopback_allowed=False)
    assert (named.scheme, named.host, named.port, named.literal) == (
        "https",
        "hooks.example.com",
        8443,
        None,
    )
    loop = checked_url("http://[::1]:9000/hook", loopback_allowed=True)
    assert (loop.host, loop.port, loop.literal) == ("::1", 9000, ipaddress.ip_address("::1"))
    assert checked_url("https://93.184.216.34/", loopback_allowed=False).port == 443
    assert checked_url("https://Bücher.de/", loopback_allowed=False).host == "xn--bcher-kva.de"


def test_the_catalogue_maps_each_topic_once_and_names_payments_as_the_issue_does() -> None:
    assert len({t.topic for t in CATALOGUE}) == len({t.name for t in CATALOGUE}) == len(CATALOGUE)
    assert BY_TOPIC["document.payment_added"].name == "payment.created"
    assert BY_TOPIC["customer.updated"].description == "delivery.event.customer.updated"


def test_the_envelope_text_is_compact_json_in_envelope_order() -> None:
    event, endpoint = uuid.UUID(int=1), uuid.UUID(int=2)
    body = envelope(
        event_id=event,
        event_type="customer.updated",
        created_at=datetime(2026, 5, 4, 8, 0, 1, tzinfo=UTC),
        endpoint_id=endpoint,
        data={"customer": {"name": "Müller"}, "oldCustomer": {"name": "Muller"}},
    )
    text = payload_text(body)
    assert text == (
        '{"id":"00000000-0000-0000-0000-000000000001","type":"customer.updated",'
        '"createdAt":"2026-05-04T08:00:01Z",'
        '"webhookEndpoint":{"id":"00000000-0000-0000-0000-000000000002"},'
        '"data":{"customer":{"name":"Müller"},"oldCustomer":{"name":"Muller"}}}'
    )
    assert json.loads(text) == json.loads(json.dumps(body))


def test_event_types_secrets_and_kept_bodies() -> None:
    assert checked_event_types(["plan.created", "customer.created", "plan.created"]) == (
        "customer.created",
        "plan.created",
    )
    for bad, code in (([], "empty"), (["webhook.test"], "unknown"), (["x"], "unknown")):
        with pytest.raises(ValidationFailed) as refused:
            checked_event_types(bad)
        assert refused.value.code.endswith(code) and refused.value.field == "eventTypes"
    assert new_secret().startswith("whsec_") and len(new_secret()) == 6 + 32
    assert new_secret() != new_secret()
    assert kept_body(b"a" * 5000) == "a" * 4096
    assert kept_body(b"\xff ok") == "\ufffd ok"
