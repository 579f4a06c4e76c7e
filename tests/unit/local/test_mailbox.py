"""The local mailbox's parsing and auth, without a stack: what moto accepted, as the customer sees it."""

import base64
import json
from urllib.parse import parse_qs, urlencode

import pytest

from infra.local import mailbox
from passaparola.api import console_tokens, keys
from passaparola.api.keys import Principal
from passaparola.errors import InvalidToken
from passaparola.messages import render

SECRET = "sk_local_test"


@pytest.fixture(autouse=True)
def empty():
    mailbox.clear()
    yield
    mailbox.clear()


def _params(**fields: str) -> dict[str, list[str]]:
    return parse_qs(urlencode(fields))


def _raw_email(to: str, code: str) -> bytes:
    body = f'<p>Code {code}</p><img src="{render.QR_SRC}">'
    rendered = render.Rendered(subject="Ciao", body=body, text=f"Code {code}")
    return render.mime("shop@example.com", to, rendered, "https://x/unsub", code, "msg-1")


def test_an_email_is_kept_with_its_inline_qr_as_a_data_uri_and_an_sms_as_text():
    raw = _raw_email("anna@example.org", "M-ABC")
    email = _params(Action="SendRawEmail", **{"RawMessage.Data": base64.b64encode(raw).decode()})
    email["Destinations.member.1"] = ["anna@example.org"]
    mailbox.keep("ses", email, b"<SendRawEmailResult><MessageId>ses-1</MessageId></SendRawEmailResult>")
    mailbox.keep(
        "sns", _params(Action="Publish", PhoneNumber="+393331234567", Message="Ciao!"), b"<MessageId>s1</MessageId>"
    )
    mailbox.keep("sns", _params(Action="Publish", TopicArn="arn:team", Message="tier"), b"<MessageId>t1</MessageId>")

    sms, mail = mailbox.messages()
    assert sms == {"id": "s1", "at": sms["at"], "type": "sms", "to": "+393331234567", "text": "Ciao!"}
    assert (mail["id"], mail["to"], mail["subject"]) == ("ses-1", "anna@example.org", "Ciao")
    assert "shop@example.com" in mail["from"] and mail["text"].startswith("Code M-ABC")
    assert "cid:" not in mail["html"] and "data:image/png;base64," in mail["html"]
    assert [m["id"] for m in mailbox.messages(to="ANNA@example.org")] == ["ses-1"]
    assert [m["id"] for m in mailbox.messages(limit=1)] == ["s1"]


def _get(token: str | None, query: str = "") -> tuple[int, dict]:
    headers = [("Authorization", f"Bearer {token}")] if token else []
    reply = mailbox.mailbox_http("GET", headers, b"", query, SECRET)
    return reply.status, json.loads(reply.body)


def test_the_secret_key_or_a_console_user_may_read_it(monkeypatch):
    def verify(raw: str) -> console_tokens.ConsoleUser:
        if raw != "jwt.console.user":
            raise InvalidToken()
        return console_tokens.ConsoleUser(sub="u_1", email="s@example.com", role="support")

    monkeypatch.setattr(console_tokens, "verify", verify)  # the API's own check of a console token (JWT-shaped)
    monkeypatch.setattr(keys, "lookup", lambda raw: Principal(kind="secret", key_id="k"))
    assert _get(SECRET) == (200, {"messages": []})
    assert _get("jwt.console.user")[0] == 200
    assert _get("sk_another_key")[0] == 403  # an API key other than the stack's is not a person
    assert _get(None)[0] == 401
    assert _get(SECRET, "limit=5000")[0] == 400
