"""Where a webhook may go (delivery issue "Safety"; ADR 0021 "SSRF"): pure rules on URLs and
IP addresses; name resolution is the adapter's (adapters/webhooks.py).

- the URL is ``https`` with a host, without user info or fragment; any port;
- every address the host stands for is global: not private, loopback, link-local, reserved,
  multicast, unspecified or shared (carrier-grade NAT), also when an IPv6 address embeds an
  IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4, Teredo);
- the one exception (test receivers): ``http://`` or ``https://`` to a *literal* loopback
  address, when the process allows it (``BELEG_WEBHOOKS_ALLOW_LOOPBACK``) and the tenant is in
  test mode. A host *name* resolving to loopback is always refused.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from beleg.domain.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000  # webhook_endpoints.url
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Not global, whatever the Python version's is_global says (IANA special-purpose registries;
# Python 3.11 calls the first two global): site-local, IETF protocol assignments, TEREDO and
# benchmarking are covered by is_private / the embedded address; local-use NAT64 is not.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(network)
    for network in ("fec0::/10", "192.0.0.0/24", "64:ff9b:1::/48", "2001::/23", "198.18.0.0/15")
)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked endpoint URL: its host (without brackets; a name in ASCII), port, and the
    address itself when the host is a literal IP (then nothing is resolved)."""

    scheme: str
    host: str
    port: int
    literal: IPAddress | None


def checked_url(url: str, *, loopback_allowed: bool) -> Target:
    """The target of ``url``, or ValidationFailed naming ``url`` and the rule it breaks."""
    if len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise ValidationFailed("delivery.webhook_url_invalid", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ValidationFailed("delivery.webhook_url_invalid", field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise ValidationFailed("delivery.webhook_url_not_https", field="url")
    if "@" in parts.netloc:
        raise ValidationFailed("delivery.webhook_url_userinfo", field="url")
    if parts.fragment:
        raise ValidationFailed("delivery.webhook_url_invalid", field="url")
    literal = _literal(host)
    loopback_literal = literal is not None and loopback_allowed and literal.is_loopback
    if scheme == "http" and not loopback_literal:
        raise ValidationFailed("delivery.webhook_url_not_https", field="url")
    if literal is not None and not loopback_literal:
        refused = address_refusal(literal)
        if refused is not None:
            raise ValidationFailed(
                "delivery.webhook_address_refused", field="url", address=str(literal), kind=refused
            )
    default = 443 if scheme == "https" else 80
    name = host.lower() if literal is not None else _ascii_name(host)
    return Target(scheme, name, port or default, literal)


def _ascii_name(host: str) -> str:
    """The host as resolved and connected to: IDNA (``bücher.de`` → ``xn--bcher-kva.de``)."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValidationFailed("delivery.webhook_url_invalid", field="url") from None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def address_refusal(address: IPAddress) -> str | None:
    """Why the sender must not connect to ``address`` (``loopback``, ``private``,
    ``link-local``, ``multicast``, ``unspecified``, ``reserved``, ``not-global``), or None
    when it is a global unicast address."""
    embedded = embedded_ipv4(address)
    if embedded is not None:
        return address_refusal(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not-global", not address.is_global or any(address in n for n in NOT_GLOBAL)),
    )
    return next((kind for kind, hit in checks if hit), None)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo client), or None."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None
