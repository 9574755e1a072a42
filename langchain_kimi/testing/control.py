"""Who may use the simulator's control endpoints, and a client for them.

The control endpoints (``/simulator/...``) script the replies tests receive
and show the prompts they sent, so a web page the user happens to visit must
not reach them: a page can send simple cross-origin requests and, through DNS
rebinding, even read the answers. Each control request must therefore

- name this machine in its ``Host`` header (``localhost``, a loopback IP, or
  the host the simulator is bound to, with the bound port if a port is given),
  which a rebound DNS name never does;
- carry the simulator's key (``Authorization: Bearer <key>``), a header no
  page can add without a CORS preflight, which the simulator never grants;
- send JSON, if it sends a body at all (``Content-Type: application/json``;
  required on ``POST``), never a form or ``text/plain``.

Refusals are 403 (host), 401 (key) and 415 (content type), with a JSON body
saying why.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import urllib.request
from typing import Any

from aiohttp import web

JSON_TYPE = "application/json"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``(host, port)`` from a ``Host`` header (None when malformed)."""
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = value.partition(":")
    if port_text == "":
        return host.lower(), None
    if not port_text.isdigit():
        return None
    return host.lower(), int(port_text)


def _is_local(host: str, bound_host: str) -> bool:
    if host in _LOOPBACK_NAMES or host == bound_host.lower():
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(value: str | None, bound_host: str, bound_port: int) -> bool:
    """Whether a ``Host`` header names this simulator on this machine."""
    parsed = _split_host(value or "")
    if parsed is None or not parsed[0]:
        return False
    host, port = parsed
    return _is_local(host, bound_host) and port in (None, bound_port)


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def refusal(
    request: web.Request, *, api_key: str, bound_host: str, bound_port: int
) -> web.Response | None:
    """The answer that refuses a control request, or None to serve it."""
    if not host_allowed(request.headers.get("Host"), bound_host, bound_port):
        return _refuse(403, "Control endpoints answer only requests to this machine.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), api_key.encode()
    ):
        return _refuse(
            401, "Control endpoints need the simulator's key: Authorization: Bearer"
        )
    has_body = request.method == "POST" or request.content_length
    if has_body and request.content_type != JSON_TYPE:
        return _refuse(415, f"Control endpoints accept only {JSON_TYPE} bodies.")
    return None


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when empty); 400 otherwise."""
    text = await request.text()
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise web.HTTPBadRequest(text="The body is not JSON.") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="The body must be a JSON object.")
    return data


def call(
    url: str, route: str, api_key: str, payload: dict[str, Any] | None = None
) -> Any:
    """Call a control endpoint of the simulator at ``url`` (its root URL):
    ``POST`` with ``payload`` as JSON, else ``GET``; the answer's JSON."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 (the URL is the caller's simulator)
        url.rstrip("/") + route,
        data=data,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": JSON_TYPE},
        method="GET" if payload is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())
