"""The SSRF guard: a webhook URL is resolved, every address checked, and the connection made to the checked one.

Resolving at each attempt and connecting to the address that was checked (the Host header and TLS SNI carry the
name) leaves no window for DNS rebinding; redirects are never followed. Deployed, private, loopback, link-local,
multicast, reserved and unspecified addresses are refused, and so are IPv6 prefixes that carry an IPv4 address
(6to4, Teredo, NAT64); a developer's machine (delivery.local()) allows loopback for development.

An attempt has a hard deadline of TIMEOUT_SECONDS in all (resolution, connection, response), not httpx's per-read
timeout, and reads at most MAX_RESPONSE_BYTES of the answer: a receiver that drips or streams cannot hold the delivery
function past the budget its SAFE_MILLIS assumes.
"""

import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from passaparola.observability import trace_httpx

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
TIMEOUT_SECONDS = 10.0
RESOLVE_SECONDS = 3.0
MAX_RESPONSE_BYTES = 4096
USER_AGENT = "passaparola-webhooks/1"
EMBEDS_IPV4 = tuple(ipaddress.ip_network(n) for n in ("2002::/16", "2001::/32", "64:ff9b::/96", "64:ff9b:1::/48"))
"""6to4, Teredo and NAT64 addresses carry an IPv4 address (possibly private) that is_global does not look at."""
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address a webhook may not reach."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Result:
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def parse(url: str, allow_http: bool) -> Target:
    """The URL's parts, the host IDNA-encoded (ASCII, as the Host header and SNI need it); refused unless httpx
    accepts it too, so that a URL accepted at registration can always be attempted."""
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise AddressRefused("the URL has a space or a control character")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        if hostname:
            hostname = hostname.encode("idna").decode("ascii")
        httpx.URL(url)
    except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
        raise AddressRefused("the URL is not valid") from exc
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise AddressRefused("the URL must be https://" + (" or http://" if allow_http else ""))
    if not hostname:
        raise AddressRefused("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused("the URL's port is not valid") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, hostname, port, path)


def refused(ip: IP, allow_loopback: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in EMBEDS_IPV4):
        return True
    if ip.is_loopback:
        return not allow_loopback
    return (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )


def resolve_all(host: str, port: int, allow_loopback: bool, timeout: float = RESOLVE_SECONDS) -> list[IP]:
    """The addresses to try, in the resolver's order; refused when any address the name resolves to is refused
    (or when the resolver does not answer within `timeout`)."""
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeout as exc:
        raise AddressRefused(f"{host} did not resolve in {timeout:g} s") from exc
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"{host} does not resolve") from exc
    addresses: list[IP] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise AddressRefused(f"{host} does not resolve")
    for ip in addresses:
        if refused(ip, allow_loopback):
            raise AddressRefused(f"{host} resolves to a refused address ({ip})")
    return addresses


def resolve(host: str, port: int, allow_loopback: bool) -> IP:
    """The first address to connect to (see resolve_all)."""
    return resolve_all(host, port, allow_loopback)[0]


def check_url(url: str, local: bool) -> Target:
    """At registration: the URL's form and where it resolves to now (each attempt checks again)."""
    target = parse(url, allow_http=local)
    resolve(target.host, target.port, allow_loopback=local)
    return target


def post(url: str, headers: dict[str, str], body: bytes, local: bool, timeout: float = TIMEOUT_SECONDS) -> Result:
    """One attempt: POST to a checked address (the next one when a connection fails), no redirects, within `timeout`
    in all; a refusal, a network error or anything unexpected is a failed attempt, never an exception."""
    started = time.monotonic()
    deadline = started + timeout

    def result(status: int | None, error: str | None) -> Result:
        return Result(status, int((time.monotonic() - started) * 1000), error)

    try:
        target = parse(url, allow_http=local)
        addresses = resolve_all(target.host, target.port, allow_loopback=local, timeout=min(RESOLVE_SECONDS, timeout))
    except AddressRefused:
        return result(None, "address_refused")
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host:
        host_header = f"[{target.host}]" if target.port == default_port else f"[{target.host}]:{target.port}"
    request_headers = {**headers, "Host": host_header, "User-Agent": USER_AGENT}
    error = "address_refused"
    for ip in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return result(None, "timeout")
        literal = f"[{ip}]" if ip.version == 6 else str(ip)
        status, error = _attempt(f"{target.scheme}://{literal}:{target.port}{target.path}", target.host,
                                 request_headers, body, remaining)  # fmt: skip
        if status is not None:
            return result(status, None if 200 <= status < 300 else f"http_{status}")
        if not error.startswith("connection_failed: Connect"):
            break  # only a refused or unreachable address is worth the next one
    return result(None, error)


def _attempt(
    address_url: str, sni: str, headers: dict[str, str], body: bytes, seconds: float
) -> tuple[int | None, str]:
    """The request in a worker thread under a hard deadline: past it, the client is closed (which ends the worker's
    blocking read) and the attempt is a timeout unless the status had come. At most MAX_RESPONSE_BYTES are read."""
    trace_httpx()
    client = httpx.Client(timeout=seconds, follow_redirects=False, trust_env=False)
    outcome: list[tuple[int | None, str]] = []

    def run() -> None:
        try:
            with client.stream(
                "POST", address_url, headers=headers, content=body, extensions={"sni_hostname": sni}
            ) as response:
                outcome.append((response.status_code, ""))  # the status is the answer; the body is only drained
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read >= MAX_RESPONSE_BYTES:
                        break
        except httpx.TimeoutException:
            outcome.append((None, "timeout"))
        except httpx.HTTPError as exc:
            outcome.append((None, f"connection_failed: {type(exc).__name__}"))
        except Exception as exc:  # noqa: BLE001 (a receiver's answer must never fail the delivery function)
            outcome.append((None, f"request_failed: {type(exc).__name__}"))

    worker = threading.Thread(target=run, name="webhook-attempt", daemon=True)
    worker.start()
    worker.join(seconds)
    timely = list(outcome)  # what the worker had when the deadline passed (closing makes it fail after)
    client.close()
    if worker.is_alive():
        worker.join(1.0)
    return timely[0] if timely else (None, "timeout")
