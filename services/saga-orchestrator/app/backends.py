"""The saga's calls to platform-services and airtable-gateway. Compensations treat 404 as already undone."""
import urllib.parse
from typing import Any, Dict, Optional

import client

from .saga_steps import StepError


def _seg(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


class Backends:
    def __init__(self, platform_url: str, airtable_url: str, api_key: str, default_base: Optional[str] = None):
        self._platform = client.ServiceClient(platform_url, api_key, name="platform-services")
        self._airtable = client.ServiceClient(airtable_url, api_key, name="airtable-gateway")
        self._default_base = default_base

    @staticmethod
    def _expect(resp: client.ClientResponse, what: str, ok=(200, 201)) -> Any:
        if resp.status not in ok:
            raise StepError(f"{what} answered {resp.status}", {"status": resp.status,
                                                              "body": resp.json() if resp.json() is not None else resp.text()[:500]})
        return resp.json()

    @staticmethod
    def _request(service: client.ServiceClient, method: str, path: str, what: str, **kwargs: Any) -> client.ClientResponse:
        try:
            return service.request(method, path, **kwargs)
        except client.UpstreamError as exc:
            raise StepError(f"{what}: {exc}", {"status": None}) from None

    def register_user(self, email: str, password: str, name: Optional[str]) -> Dict[str, Any]:
        body = {"email": email, "password": password}
        if name:
            body["name"] = name
        resp = self._request(self._platform, "POST", "/auth/register", "platform-services register", json_body=body)
        return self._expect(resp, "platform-services register")

    def delete_user(self, user_id: Any) -> None:
        resp = self._request(self._platform, "DELETE", f"/users/{_seg(user_id)}", "platform-services delete user")
        self._expect(resp, "platform-services delete user", ok=(200, 204, 404))

    def default_base_id(self) -> str:
        if self._default_base:
            return self._default_base
        resp = self._request(self._airtable, "GET", "/v0/meta/bases", "airtable-gateway list bases")
        bases = (self._expect(resp, "airtable-gateway list bases") or {}).get("bases") or []
        if not bases:
            raise StepError("airtable-gateway has no base to write to")
        return bases[0]["id"]

    def create_record(self, base_id: str, table: str, fields: Dict[str, Any]) -> Dict[str, Any]:
        path = f"/v0/{_seg(base_id)}/{_seg(table)}"
        resp = self._request(self._airtable, "POST", path, "airtable-gateway create record", json_body={"fields": fields})
        return self._expect(resp, "airtable-gateway create record")

    def delete_record(self, base_id: str, table: str, record_id: str) -> None:
        path = f"/v0/{_seg(base_id)}/{_seg(table)}/{_seg(record_id)}"
        resp = self._request(self._airtable, "DELETE", path, "airtable-gateway delete record")
        self._expect(resp, "airtable-gateway delete record", ok=(200, 204, 404))
