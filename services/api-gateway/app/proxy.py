"""Forwarding one request to a back end: an allowlist of headers each way, the internal API key added
(by client.ServiceClient), the request id passed on, the caller's identity as X-User-* headers."""
from typing import Any, Dict

import client
import server

from .auth import Principal

PROXY_TIMEOUT_S = 30.0
REQUEST_HEADERS = ("Content-Type", "Accept", "Accept-Language", "If-None-Match", "If-Modified-Since")
RESPONSE_HEADERS = ("Content-Disposition", "Location", "ETag", "Last-Modified", "Cache-Control",
                    "Retry-After", "Allow", "X-Content-SHA256")


def forward(req: server.Request, service: client.ServiceClient, path: str, principal: Principal) -> server.Response:
    headers: Dict[str, str] = {name: req.headers[name] for name in REQUEST_HEADERS if req.headers.get(name)}
    headers.setdefault("Accept", "*/*")
    if req.headers.get("Authorization"):
        headers["Authorization"] = req.headers["Authorization"]  # platform-services /auth/* reads the user's token
    if principal.kind == "user":
        # Client-sent X-User-* never pass the allowlist; these are the identity the gateway verified.
        headers["X-User-Id"] = principal.user_id or ""
        headers["X-User-Email"] = principal.email or ""
    forwarded_for = req.headers.get("X-Forwarded-For")
    client_ip = req.client_address[0] if req.client_address else ""
    headers["X-Forwarded-For"] = f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip

    target = path + ("?" + req.query_string if req.query_string else "")
    body = req.body if req.method not in ("GET", "HEAD", "DELETE") or req.body else None
    try:
        resp = service.request(req.method, target, body=body, headers=headers, timeout=PROXY_TIMEOUT_S)
    except client.UpstreamError as exc:
        raise server.HTTPError(502, "bad gateway", {"service": service.name, "message": str(exc)}) from None
    out_headers: Dict[str, Any] = {name: resp.headers[name] for name in RESPONSE_HEADERS if resp.headers.get(name)}
    cookies = resp.headers.get_all("Set-Cookie") if hasattr(resp.headers, "get_all") else None
    if cookies:
        out_headers["Set-Cookie"] = cookies
    return server.Response(resp.status, resp.body, out_headers,
                           content_type=resp.headers.get("Content-Type") or "application/octet-stream")
