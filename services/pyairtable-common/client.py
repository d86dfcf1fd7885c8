"""HTTP client for service-to-service calls (urllib): adds X-API-Key and the current X-Request-Id.

    gateway = client.ServiceClient(settings.airtable_gateway_url, settings.api_key)
    resp = gateway.get("/v0/meta/bases")            # ClientResponse; never raises on 4xx/5xx
    bases = resp.json()
    data = gateway.call("GET", "/v0/meta/bases")    # parsed JSON; raises UpstreamError unless 2xx

Connection failures and timeouts raise UpstreamError with status None.
"""
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Mapping, Optional

import telemetry

DEFAULT_TIMEOUT_S = 10.0


class UpstreamError(Exception):
    def __init__(self, service: str, message: str, status: Optional[int] = None, body: Any = None):
        super().__init__(f"{service}: {message}")
        self.service = service
        self.status = status
        self.body = body


class ClientResponse:
    def __init__(self, status: int, headers: Mapping[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Redirects are returned to the caller as they are (a gateway forwards them).
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect())


class ServiceClient:
    def __init__(self, base_url: str, api_key: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT_S,
                 name: Optional[str] = None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.name = name or (urllib.parse.urlsplit(self.base_url).hostname or self.base_url)

    def request(self, method: str, path: str, json_body: Any = None, body: Optional[bytes] = None,
                query: Optional[Mapping[str, Any]] = None, headers: Optional[Mapping[str, str]] = None,
                timeout: Optional[float] = None) -> ClientResponse:
        url = self.base_url + path
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(
                {k: v for k, v in query.items() if v is not None})
        sent_headers: Dict[str, str] = {"Accept": "application/json"}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        sent_headers.update(headers or {})
        if self.api_key:
            sent_headers["X-API-Key"] = self.api_key
        request_id = telemetry.current_request_id()
        if request_id:
            sent_headers["X-Request-Id"] = request_id
        req = urllib.request.Request(url, data=body, method=method.upper(), headers=sent_headers)
        try:
            with _opener.open(req, timeout=timeout or self.timeout) as resp:
                return ClientResponse(resp.status, resp.headers, resp.read())
        except urllib.error.HTTPError as err:  # a 4xx/5xx answer is still an answer
            with err:
                return ClientResponse(err.code, err.headers, err.read())
        except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise UpstreamError(self.name, f"cannot reach {self.base_url}: {reason}") from None

    def get(self, path: str, **kwargs: Any) -> ClientResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> ClientResponse:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> ClientResponse:
        return self.request("PATCH", path, json_body=json_body, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs: Any) -> ClientResponse:
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ClientResponse:
        return self.request("DELETE", path, **kwargs)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like request() but returns the parsed JSON and raises UpstreamError unless the status is 2xx."""
        resp = self.request(method, path, **kwargs)
        if not resp.ok:
            body = resp.json()
            raise UpstreamError(self.name, f"{method.upper()} {path} answered {resp.status}",
                                status=resp.status, body=body if body is not None else resp.text()[:500])
        return resp.json()
