"""Pages of the frontend: /, /login, /register, /dashboard, /logout, and /api/health."""
from typing import Any, Dict, Optional

import client
import server
import telemetry

from . import pages
from .gateway_client import GatewayClient

COOKIE = "session"
TABLE = "Tasks"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _html(body: str, status: int = 200, headers: Optional[Dict[str, Any]] = None) -> server.Response:
    return server.Response(status, body, {**SECURITY_HEADERS, **(headers or {})}, content_type="text/html; charset=utf-8")


def _session_cookie(token: str, max_age: int) -> str:
    return f"{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}"


CLEAR_COOKIE = f"{COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"


def _upstream_message(resp: client.ClientResponse) -> str:
    body = resp.json()
    if isinstance(body, dict):
        detail = body.get("detail")
        text = body.get("error") or ""
        if isinstance(detail, str):
            text = f"{text}: {detail}" if text else detail
        if text:
            return text
    return f"api-gateway answered {resp.status}"


def register(app: server.App, gateway: GatewayClient, base_id: str) -> None:
    def unavailable(exc: client.UpstreamError) -> server.Response:
        telemetry.warning("api-gateway unreachable", error=str(exc))
        return _html(pages.error_page("Service unavailable", "The API gateway cannot be reached; try again shortly."), 502)

    @app.route("GET", "/", public=True)
    def root(req: server.Request) -> Any:
        return server.redirect("/dashboard" if req.cookies().get(COOKIE) else "/login", 303)

    @app.route("GET", "/login", public=True)
    def login_form(req: server.Request) -> Any:
        notice = "Account created; log in." if req.query.get("registered") else None
        return _html(pages.login(notice=notice))

    @app.route("POST", "/login", public=True)
    def login(req: server.Request) -> Any:
        form = req.form()
        email, password = form.get("email", "").strip(), form.get("password", "")
        if not email or not password:
            return _html(pages.login("Email and password are required.", email=email), 400)
        try:
            resp = gateway.login(email, password)
        except client.UpstreamError as exc:
            return unavailable(exc)
        if resp.status == 200 and isinstance(resp.json(), dict) and resp.json().get("access_token"):
            body = resp.json()
            cookie = _session_cookie(body["access_token"], int(body.get("expires_in") or 3600))
            return server.redirect("/dashboard", 303, {"Set-Cookie": cookie, **SECURITY_HEADERS})
        if resp.status in (400, 401):
            return _html(pages.login("Invalid email or password.", email=email), 401)
        return _html(pages.login(f"Login failed: {_upstream_message(resp)}", email=email), 502)

    @app.route("GET", "/register", public=True)
    def register_form(req: server.Request) -> Any:
        return _html(pages.register())

    @app.route("POST", "/register", public=True)
    def register_user(req: server.Request) -> Any:
        form = req.form()
        email, password, name = form.get("email", "").strip(), form.get("password", ""), form.get("name", "").strip()
        try:
            resp = gateway.register(email, password, name or None)
        except client.UpstreamError as exc:
            return unavailable(exc)
        if resp.status == 201:
            return server.redirect("/login?registered=1", 303, SECURITY_HEADERS)
        if resp.status == 409:
            return _html(pages.register("That email is already registered.", email, name), 409)
        if resp.status == 400:
            return _html(pages.register(f"Check the form: {_upstream_message(resp)}", email, name), 400)
        return _html(pages.register(f"Registration failed: {_upstream_message(resp)}", email, name), 502)

    @app.route("GET", "/dashboard", public=True)
    def dashboard(req: server.Request) -> Any:
        token = req.cookies().get(COOKIE)
        if not token:
            return server.redirect("/login", 303)
        try:
            who = gateway.validate(token)
            if who.status == 401:
                return server.redirect("/login", 303, {"Set-Cookie": CLEAR_COOKIE})
            if who.status != 200:
                return _html(pages.error_page("Service unavailable", _upstream_message(who)), 502)
            email = (who.json().get("user") or {}).get("email", "")
            records = gateway.records(token, base_id, TABLE)
        except client.UpstreamError as exc:
            return unavailable(exc)
        if records.status == 401:
            return server.redirect("/login", 303, {"Set-Cookie": CLEAR_COOKIE})
        if records.status != 200:
            return _html(pages.dashboard(email, TABLE, [], f"Cannot load {TABLE}: {_upstream_message(records)}"), 502)
        return _html(pages.dashboard(email, TABLE, records.json().get("records") or []))

    @app.route("POST", "/logout", public=True)
    def logout(req: server.Request) -> Any:
        token = req.cookies().get(COOKIE)
        if token:
            try:
                resp = gateway.logout(token)
                if resp.status not in (200, 401):
                    telemetry.warning("logout not confirmed by api-gateway", status=resp.status)
            except client.UpstreamError as exc:
                telemetry.warning("logout could not reach api-gateway", error=str(exc))
        return server.redirect("/login", 303, {"Set-Cookie": CLEAR_COOKIE})

    @app.route("GET", "/api/health", public=True)
    def api_health(req: server.Request) -> Any:
        try:
            resp = gateway.health()
        except client.UpstreamError as exc:
            return server.Response(503, {"status": "down", "gateway": {"status": "down", "error": str(exc)}})
        report = resp.json() if isinstance(resp.json(), dict) else {"status": "down", "error": f"answered {resp.status}"}
        status = "ok" if report.get("status") == "ok" else "degraded"
        return server.Response(200 if status == "ok" else 503, {"status": status, "gateway": report})
