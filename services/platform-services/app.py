"""platform-services: users (postgres), login sessions (redis), JWT HS256 access tokens."""
import re
from typing import Any, Dict, Tuple

import psycopg2
import redis

import checks
import config
import db
import server
import telemetry
import tokens
from passwords import DUMMY_HASH, hash_password, verify_password
from sessions import SessionStore
from users import DuplicateEmail, UserStore

TOKEN_LIFETIME_S = 3600
MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

settings = config.load(
    service="platform-services",
    required=["DATABASE_URL", "REDIS_URL", "API_KEY", "JWT_SECRET"],
    optional={"PORT": 8007, "LOG_LEVEL": "info"},
)
app = server.App(settings)
app.ready_checks({"postgres": checks.postgres(settings.database_url), "redis": checks.redis(settings.redis_url)})
app.treat_as_unavailable("postgres", psycopg2.OperationalError, psycopg2.InterfaceError)
app.treat_as_unavailable("redis", redis.ConnectionError, redis.TimeoutError, redis.AuthenticationError,
                         redis.ResponseError)

user_store = UserStore(db.Database(settings.database_url))
session_store = SessionStore(db.redis_client(settings.redis_url), TOKEN_LIFETIME_S)


def _public_user(user: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": user["id"], "email": user["email"], "name": user.get("name")}


def _email_and_password(body: Dict[str, Any]) -> Tuple[str, str]:
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        raise server.HTTPError(400, "invalid email")
    if not isinstance(password, str):
        raise server.HTTPError(400, "password is required")
    return email.strip().lower(), password


def _authenticated_session(req: server.Request) -> Dict[str, Any]:
    """The JWT's claims and live session, or 401: the token must verify AND its session must exist."""
    token = req.bearer_token()
    if not token:
        raise server.HTTPError(401, "unauthorized", "missing bearer token")
    try:
        claims = tokens.decode(token, settings.jwt_secret)
    except tokens.InvalidToken as exc:
        raise server.HTTPError(401, "unauthorized", str(exc)) from None
    session = session_store.get(str(claims.get("sid", "")))
    if session is None or str(session["user_id"]) != str(claims.get("sub")):
        raise server.HTTPError(401, "unauthorized", "session expired or logged out")
    return {"user_id": session["user_id"], "email": session["email"], "session_id": claims["sid"]}


def _user_id(req: server.Request) -> int:
    raw = req.params["id"]
    if not raw.isdigit():
        raise server.HTTPError(400, "invalid user id", raw)
    return int(raw)


@app.route("POST", "/auth/register", public=True)
def register(req: server.Request) -> Any:
    body = req.json()
    email, password = _email_and_password(body)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise server.HTTPError(400, "password too short", f"at least {MIN_PASSWORD_LENGTH} characters")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise server.HTTPError(400, "name must be a string")
    try:
        user = user_store.create(email, name, hash_password(password))
    except DuplicateEmail:
        raise server.HTTPError(409, "email already registered") from None
    telemetry.info("user registered", user_id=user["id"])
    return server.Response(201, _public_user(user))


@app.route("POST", "/auth/login", public=True)
def login(req: server.Request) -> Any:
    email, password = _email_and_password(req.json())
    user = user_store.by_email(email)
    if not verify_password(password, user["password_hash"] if user else DUMMY_HASH) or user is None:
        telemetry.info("login refused", reason="bad credentials")
        raise server.HTTPError(401, "invalid credentials")
    session_id = session_store.create(user["id"], user["email"])
    token = tokens.encode({"sub": str(user["id"]), "email": user["email"], "sid": session_id},
                          settings.jwt_secret, expires_in=TOKEN_LIFETIME_S)
    telemetry.info("user logged in", user_id=user["id"], session_id=session_id)
    return {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_S,
            "session_id": session_id, "user": {"id": user["id"], "email": user["email"]}}


@app.route("GET", "/auth/validate", public=True)
def validate(req: server.Request) -> Any:
    session = _authenticated_session(req)
    return {"valid": True, "user": {"id": session["user_id"], "email": session["email"]},
            "session_id": session["session_id"]}


@app.route("GET", "/auth/sessions", public=True)
def list_sessions(req: server.Request) -> Any:
    session = _authenticated_session(req)
    return {"sessions": session_store.list_for_user(session["user_id"])}


@app.route("POST", "/auth/logout", public=True)
def logout(req: server.Request) -> Any:
    session = _authenticated_session(req)
    session_store.delete(session["user_id"], session["session_id"])
    telemetry.info("user logged out", user_id=session["user_id"], session_id=session["session_id"])
    return {"logged_out": True}


@app.route("GET", "/users/{id}")
def get_user(req: server.Request) -> Any:
    user = user_store.by_id(_user_id(req))
    if user is None:
        raise server.HTTPError(404, "user not found", req.params["id"])
    return {**_public_user(user), "created_at": user["created_at"].isoformat()}


@app.route("DELETE", "/users/{id}")
def delete_user(req: server.Request) -> Any:
    user_id = _user_id(req)
    if not user_store.delete(user_id):
        raise server.HTTPError(404, "user not found", req.params["id"])
    ended = session_store.delete_all(user_id)
    telemetry.info("user deleted", user_id=user_id, sessions_ended=ended)
    return {"id": user_id, "deleted": True}


if __name__ == "__main__":
    user_store.create_schema()
    app.serve()
