"""A tiny JSON HTTP framework on http.server.ThreadingHTTPServer, shared by every service.

    app = server.App(settings)                      # settings from config.load(): service, api_key, port
    app.ready_checks({"postgres": checks.postgres(settings.database_url)})

    @app.route("GET", "/users/{id}")                # API key required unless public=True
    def get_user(req):
        return {"id": int(req.params["id"])}        # dict/list -> 200 JSON

    @app.route("POST", "/auth/register", public=True)
    def register(req):
        body = req.json()                           # 400 when the body is not a JSON object
        raise server.HTTPError(409, "email already registered")
        return server.Response(201, {...})

    app.serve()                                     # blocks; SIGTERM/SIGINT shut it down cleanly

Every app answers GET /health and GET /ready; every request gets an X-Request-Id (the caller's or
a new one), echoed in the response, and one log line with method, path, status and duration_ms.
"""
import concurrent.futures
import hmac
import http.server
import json
import re
import signal
import urllib.parse
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import telemetry

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
READY_CHECK_TIMEOUT_S = 3.0


class HTTPError(Exception):
    """Raise from a handler to answer `{"error": error, "detail": detail}` (or a custom JSON `body`)."""

    def __init__(self, status: int, error: str = "", detail: Any = None,
                 body: Any = None, headers: Optional[Mapping[str, str]] = None):
        super().__init__(f"{status} {error}")
        self.status = status
        self.error = error
        self.detail = detail
        self.body = body
        self.headers = dict(headers or {})

    def to_response(self) -> "Response":
        if self.body is not None:
            body = self.body
        else:
            body = {"error": self.error or http.HTTPStatus(self.status).phrase.lower()}
            if self.detail is not None:
                body["detail"] = self.detail
        return Response(self.status, body, self.headers)


class Response:
    """`body`: dict/list (JSON), bytes (sent as is), str (text), or None (empty)."""

    def __init__(self, status: int = 200, body: Any = None, headers: Optional[Mapping[str, str]] = None,
                 content_type: Optional[str] = None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def encode(self) -> Tuple[bytes, str]:
        if self.body is None:
            return b"", self.content_type or "application/json"
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body), self.content_type or "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.content_type or "text/plain; charset=utf-8"
        return json.dumps(self.body, default=str).encode("utf-8"), self.content_type or "application/json"


def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> Response:
    return Response(status, body, headers)


def redirect(location: str, status: int = 303, headers: Optional[Mapping[str, str]] = None) -> Response:
    return Response(status, b"", {"Location": location, **(headers or {})}, content_type="text/plain")


class Request:
    def __init__(self, method: str, target: str, headers: Mapping[str, str], body: bytes,
                 request_id: str, client_address: Tuple[str, int]):
        split = urllib.parse.urlsplit(target)
        self.method = method
        self.path = split.path or "/"
        self.query_string = split.query
        self.query_lists: Dict[str, List[str]] = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.query: Dict[str, str] = {k: v[0] for k, v in self.query_lists.items()}
        self.headers = headers  # case-insensitive (http.client.HTTPMessage)
        self.body = body
        self.request_id = request_id
        self.client_address = client_address
        self.params: Dict[str, str] = {}

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    def json(self) -> Any:
        """The body parsed as a JSON object; HTTPError 400 when it is not one."""
        try:
            value = json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HTTPError(400, "invalid JSON body", str(exc)) from None
        if not isinstance(value, dict):
            raise HTTPError(400, "invalid JSON body", "expected a JSON object")
        return value

    def form(self) -> Dict[str, str]:
        """An application/x-www-form-urlencoded body as a dict (first value of each field)."""
        parsed = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def bearer_token(self) -> Optional[str]:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None

    def cookies(self) -> Dict[str, str]:
        jar: Dict[str, str] = {}
        for part in self.headers.get("Cookie", "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                jar[name] = urllib.parse.unquote(value)
        return jar


def has_api_key(req: Request, api_key: str) -> bool:
    """True when the request carries `X-API-Key: <key>` or `Authorization: Bearer <key>`."""
    presented = req.header("X-API-Key") or req.bearer_token() or ""
    return bool(api_key) and hmac.compare_digest(presented.encode(), api_key.encode())


def require_api_key(req: Request, api_key: str) -> None:
    if not has_api_key(req, api_key):
        raise HTTPError(401, "unauthorized")


Handler = Callable[[Request], Any]
Check = Callable[[], Any]
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::path)?\}")


class _Route:
    def __init__(self, method: str, pattern: str, handler: Handler, public: bool):
        self.method = method.upper()
        self.pattern = pattern
        self.handler = handler
        self.public = public
        regex = ""
        position = 0
        for match in _PARAM.finditer(pattern):
            regex += re.escape(pattern[position:match.start()])
            greedy = match.group(0).endswith(":path}")
            regex += f"(?P<{match.group(1)}>{'.+' if greedy else '[^/]+'})"
            position = match.end()
        regex += re.escape(pattern[position:])
        self.regex = re.compile("^" + regex + "$")

    def match(self, path: str) -> Optional[Dict[str, str]]:
        found = self.regex.match(path)
        if not found:
            return None
        return {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}


class App:
    def __init__(self, settings: Any, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
        self.service: str = settings.service
        self.api_key: str = settings.get("API_KEY") or ""
        self.port: int = int(settings.get("PORT") or 8080)
        self.max_body_bytes = max_body_bytes
        self._routes: List[_Route] = []
        self._checks: Dict[str, Check] = {}
        self._unavailable: List[Tuple[str, Tuple[type, ...]]] = []
        telemetry.setup(self.service, settings.get("LOG_LEVEL") or "info")
        self.route("GET", "/health", public=True)(self._health)
        self.route("GET", "/ready", public=True)(self._ready)

    # --- registration -----------------------------------------------------------------------
    def route(self, method: str, pattern: str, public: bool = False) -> Callable[[Handler], Handler]:
        """Register a handler. `{name}` matches one path segment, `{name:path}` the rest of the path."""
        def register(handler: Handler) -> Handler:
            self._routes.append(_Route(method, pattern, handler, public))
            return handler
        return register

    def ready_checks(self, checks: Mapping[str, Check]) -> None:
        """Name → check function. A check passes by returning, fails by raising (its message is shown)."""
        self._checks.update(checks)

    def treat_as_unavailable(self, dependency: str, *exception_types: type) -> None:
        """Answer 503 {"error": "<dependency> unavailable", "detail": msg} when a handler raises one of
        `exception_types` (e.g. "postgres", psycopg2.OperationalError), instead of a generic 500."""
        self._unavailable.append((dependency, exception_types))

    # --- built-in endpoints -----------------------------------------------------------------
    def _health(self, req: Request) -> Any:
        return {"status": "ok", "service": self.service}

    def run_checks(self) -> Tuple[bool, Dict[str, str]]:
        if not self._checks:
            return True, {}
        results: Dict[str, str] = {}
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(self._checks))
        try:
            futures = {name: pool.submit(check) for name, check in self._checks.items()}
            for name, future in futures.items():
                try:
                    future.result(timeout=READY_CHECK_TIMEOUT_S)
                    results[name] = "ok"
                except concurrent.futures.TimeoutError:
                    results[name] = f"timed out after {READY_CHECK_TIMEOUT_S:g}s"
                except Exception as exc:  # each check reports its own failure text
                    results[name] = telemetry.redact(_one_line(exc))
        finally:
            pool.shutdown(wait=False)
        return all(v == "ok" for v in results.values()), results

    def _ready(self, req: Request) -> Any:
        ready, results = self.run_checks()
        if ready:
            return {"status": "ready", "checks": results}
        telemetry.warning("not ready", checks={k: v for k, v in results.items() if v != "ok"})
        return Response(503, {"status": "not_ready", "checks": results})

    # --- dispatch ---------------------------------------------------------------------------
    def dispatch(self, req: Request) -> Response:
        allowed: List[str] = []
        for route in self._routes:
            params = route.match(req.path)
            if params is None:
                continue
            if route.method != req.method and not (req.method == "HEAD" and route.method == "GET"):
                allowed.append(route.method)
                continue
            if not route.public and not has_api_key(req, self.api_key):
                return HTTPError(401, "unauthorized").to_response()
            req.params = params
            return _as_response(route.handler(req))
        if allowed:
            return HTTPError(405, "method not allowed", headers={"Allow": ", ".join(sorted(set(allowed)))}).to_response()
        return HTTPError(404, "not found", req.path).to_response()

    def handle(self, req: Request) -> Response:
        try:
            return self.dispatch(req)
        except HTTPError as exc:
            return exc.to_response()
        except Exception as exc:
            for dependency, exception_types in self._unavailable:
                if isinstance(exc, exception_types):
                    detail = telemetry.redact(_one_line(exc))
                    telemetry.error("dependency unavailable", dependency=dependency, error=detail,
                                    method=req.method, path=req.path)
                    return HTTPError(503, f"{dependency} unavailable", detail).to_response()
            telemetry.exception("unhandled error", exc, method=req.method, path=req.path)
            return HTTPError(500, "internal error", type(exc).__name__).to_response()

    # --- serving ----------------------------------------------------------------------------
    def make_server(self, host: str = "0.0.0.0", port: Optional[int] = None) -> http.server.ThreadingHTTPServer:
        app = self

        class RequestHandler(_Handler):
            pass

        RequestHandler.app = app
        return _Server((host, self.port if port is None else port), RequestHandler)

    def serve(self, host: str = "0.0.0.0") -> None:
        httpd = self.make_server(host)
        _stop_on_signals()
        telemetry.info("listening", host=host, port=httpd.server_address[1])
        try:
            httpd.serve_forever(poll_interval=0.5)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            httpd.server_close()
            telemetry.info("stopped")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        return Response(*result)
    return Response(200, result)


def _stop_on_signals() -> None:
    # As PID 1 in a container, SIGTERM is ignored unless handled: `docker stop` would wait 10 s.
    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(http.server.BaseHTTPRequestHandler):
    app: App
    protocol_version = "HTTP/1.1"
    server_version = "pyairtable"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # telemetry logs requests instead
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > self.app.max_body_bytes:
                    raise _BodyTooLarge()
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.app.max_body_bytes:
            raise _BodyTooLarge()
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        timer = telemetry.Timer()
        request_id = telemetry.accept_request_id(self.headers.get("X-Request-Id"))
        with telemetry.request_context(request_id):
            try:
                body = self._read_body()
            except (_BodyTooLarge, ValueError) as exc:
                self.close_connection = True
                status = 413 if isinstance(exc, _BodyTooLarge) else 400
                error = "payload too large" if status == 413 else "malformed body"
                detail = {"max_bytes": self.app.max_body_bytes} if status == 413 else None
                response = HTTPError(status, error, detail).to_response()
                path = urllib.parse.urlsplit(self.path).path
            else:
                req = Request(self.command, self.path, self.headers, body, request_id, self.client_address)
                response = self.app.handle(req)
                path = req.path
            self._send(response, request_id)
            status = response.status
            # 503 means "a dependency is not there yet", which readiness probes expect to see while waiting.
            level = "info" if status < 500 else ("warning" if status == 503 else "error")
            telemetry.log(level, "request", method=self.command, path=path, status=status,
                          duration_ms=timer.elapsed_ms())

    def _send(self, response: Response, request_id: str) -> None:
        payload, content_type = response.encode()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Request-Id", request_id)
            for name, value in response.headers.items():
                for one in (value if isinstance(value, (list, tuple)) else [value]):  # e.g. several Set-Cookie
                    self.send_header(name, one)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class _BodyTooLarge(Exception):
    pass

