"""The SSRF guard: a webhook URL is resolved, every address checked, and the connection made to the checked one.

Resolving at each attempt and connecting to the address that was checked (the Host header and TLS SNI carry the
name) leaves no window for DNS rebinding; redirects are never followed. Deployed, private, loopback, link-local,
multicast, reserved and unspecified addresses are refused; STAGE=local allows loopback for development.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
TIMEOUT_SECONDS = 10.0
USER_AGENT = "passaparola-webhooks/1"


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
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:
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
    if ip.is_loopback:
        return not allow_loopback
    return (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )


def resolve(host: str, port: int, allow_loopback: bool) -> IP:
    """The address to connect to; refused when any address the name resolves to is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{host} does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise AddressRefused(f"{host} does not resolve")
    for ip in addresses:
        if refused(ip, allow_loopback):
            raise AddressRefused(f"{host} resolves to a refused address ({ip})")
    return addresses[0]


def check_url(url: str, local: bool) -> Target:
    """At registration: the URL's form and where it resolves to now (each attempt checks again)."""
    target = parse(url, allow_http=local)
    resolve(target.host, target.port, allow_loopback=local)
    return target


def post(url: str, headers: dict[str, str], body: bytes, local: bool, timeout: float = TIMEOUT_SECONDS) -> Result:
    """One attempt: POST to the checked address, no redirects; a refusal or a network error is a failed attempt."""
    started = time.monotonic()

    def result(status: int | None, error: str | None) -> Result:
        return Result(status, int((time.monotonic() - started) * 1000), error)

    try:
        target = parse(url, allow_http=local)
        ip = resolve(target.host, target.port, allow_loopback=local)
    except AddressRefused:
        return result(None, "address_refused")
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host:
        host_header = f"[{target.host}]" if target.port == default_port else f"[{target.host}]:{target.port}"
    request_headers = {**headers, "Host": host_header, "User-Agent": USER_AGENT}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(
                f"{target.scheme}://{literal}:{target.port}{target.path}",
                headers=request_headers,
                content=body,
                extensions={"sni_hostname": target.host},
            )
    except httpx.TimeoutException:
        return result(None, "timeout")
    except httpx.HTTPError as exc:
        return result(None, f"connection_failed: {type(exc).__name__}")
    return result(response.status_code, None if 200 <= response.status_code < 300 else f"http_{response.status_code}")
