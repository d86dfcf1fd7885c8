"""The frontend's calls to api-gateway. User calls carry the user's JWT and NOT the internal API
key: with the key the gateway would never check the user's session."""
import urllib.parse
from typing import Any, Optional

import client

TIMEOUT_S = 10.0


class GatewayClient:
    def __init__(self, base_url: str):
        self._http = client.ServiceClient(base_url, api_key=None, timeout=TIMEOUT_S, name="api-gateway")

    @staticmethod
    def _bearer(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def login(self, email: str, password: str) -> client.ClientResponse:
        return self._http.post("/api/auth/login", {"email": email, "password": password})

    def register(self, email: str, password: str, name: Optional[str]) -> client.ClientResponse:
        body = {"email": email, "password": password}
        if name:
            body["name"] = name
        return self._http.post("/api/auth/register", body)

    def validate(self, token: str) -> client.ClientResponse:
        return self._http.get("/api/auth/validate", headers=self._bearer(token))

    def logout(self, token: str) -> client.ClientResponse:
        return self._http.post("/api/auth/logout", {}, headers=self._bearer(token))

    def records(self, token: str, base_id: str, table: str) -> client.ClientResponse:
        path = f"/api/airtable/{urllib.parse.quote(base_id, safe='')}/{urllib.parse.quote(table, safe='')}"
        return self._http.get(path, query={"pageSize": 100}, headers=self._bearer(token))

    def health(self) -> Any:
        return self._http.get("/api/health", timeout=5)
