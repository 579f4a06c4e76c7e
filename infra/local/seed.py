"""`python -m infra.local.seed`: put a demo campaign and the public code DEMO10 into the running stack.

Talks HTTP with the development secret key, like any client would. Re-running reuses the campaign
(found by name) and reports DEMO10 as existing.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from infra.local.stack import StackConfig

CAMPAIGN = {
    "name": "Demo — 10% off",
    "type": "discount",
    "discount": {"type": "percent", "percent_off": 10, "amount_limit": 1500},
    "rules": {"currency": "EUR", "min_order_amount": 2000, "max_redemptions_per_customer": 1},
}
CODE = "DEMO10"


class Client:
    def __init__(self, url: str, secret_key: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=self.headers)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                return err.code, json.loads(raw or b"null")
            except ValueError:
                return err.code, raw.decode(errors="replace")


def find_campaign(client: Client, name: str) -> dict[str, Any] | None:
    cursor: str | None = None
    for _ in range(100):
        query = "?" + urllib.parse.urlencode({"cursor": cursor}) if cursor else ""
        status, page = client.call("GET", f"/v1/campaigns{query}")
        if status != 200 or not isinstance(page, dict):
            return None
        for item in page.get("items") or []:
            if item.get("name") == name:
                return item  # type: ignore[no-any-return]
        cursor = page.get("next_cursor")
        if not cursor:
            return None
    return None


def main() -> int:
    config = StackConfig.from_env()
    client = Client(f"http://127.0.0.1:{config.port}", config.secret_key)
    try:
        status, health = client.call("GET", "/health")
    except OSError:
        status, health = 0, None
    if status != 200:
        print(f"no healthy stack at {client.url} (start it with `make run`): {health}", file=sys.stderr)
        return 1
    campaign = find_campaign(client, CAMPAIGN["name"])  # type: ignore[arg-type]
    if campaign:
        print(f"campaign exists: {campaign['id']} {campaign['name']}")
    else:
        status, campaign = client.call("POST", "/v1/campaigns", CAMPAIGN)
        if status not in (200, 201):
            print(f"creating the campaign failed: {status} {campaign}", file=sys.stderr)
            return 1
        print(f"created campaign {campaign['id']}: {json.dumps(campaign, ensure_ascii=False)}")
    status, code = client.call("POST", f"/v1/campaigns/{campaign['id']}/codes", {"code": CODE})
    if status in (200, 201):
        print(f"created code {CODE}: {json.dumps(code, ensure_ascii=False)}")
    elif status == 409:
        print(f"code {CODE} already exists")
    else:
        print(f"creating {CODE} failed: {status} {code}", file=sys.stderr)
        return 1
    print(
        f"try: curl -s -X POST {client.url}/v1/... with `Authorization: Bearer {config.secret_key}` (see {client.url}/docs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
