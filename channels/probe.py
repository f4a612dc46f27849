"""`loa check --online`: one harmless signed-in request per target, and a verdict in plain words.

Nothing is published. Each transport is asked what its service offers for this (channels.md,
and each service's documentation): WordPress `GET /wp/v2/users/me`; Graph `GET /me` with the
Page token (it must answer the configured Page); Zalo `GET /v2.0/oa/getoa` (HTTP 200 even on
errors: the envelope's `error` decides); Kannel a `sendsms` POST with the credentials and no
receiver (smsbox checks the credentials first: 403 wrong, 400 "Missing receiver number" right);
eSMS `GetBalance`; Anthias `GET /api/v2/assets`; a webhook `HEAD`; the loudspeaker platform a
signed look-up of a schedule that does not exist; a folder or the outbox must be writable.
Secrets never appear in a verdict: only the variable that holds one is named.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from campaigns.i18n import Msg, msg
from channels import messages
from channels.anthias import AnthiasTransport
from channels.base import Transport
from channels.errors import ChannelError
from channels.esms import EsmsTransport
from channels.folder import FolderTransport
from channels.graph import GraphTransport
from channels.kannel import KannelTransport
from channels.outbox import OutboxTransport
from channels.platform import PlatformTransport
from channels.webhook import WebhookTransport
from channels.wordpress import WordPressTransport
from channels.zalo_oa import ZaloTransport

assert messages.MESSAGES  # the verdicts' texts join the catalogue on import


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: Msg


def _ok(msg_id: str, **fields: Any) -> Verdict:
    return Verdict(True, msg(msg_id, **fields))


def _fail(msg_id: str, **fields: Any) -> Verdict:
    return Verdict(False, msg(msg_id, **fields))


def probe(transport: Transport) -> Verdict:
    """Ask the target's service whether loa's credentials work; never raises."""
    for cls, ask in _PROBES:
        if isinstance(transport, cls):
            try:
                return ask(transport)
            except (ChannelError, requests.RequestException, OSError) as e:
                return _fail("probe.unreachable", error=type(e).__name__)
    return _ok("probe.not_online", name=transport.name)


def _get(t: Transport, url: str, **kw: Any) -> requests.Response:
    return t.session.get(url, timeout=t.timeout, allow_redirects=False, **kw)


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _var(t: Transport, field: str) -> str:
    return "$" + str(t.target.credentials.get(field, "?"))


def _wordpress(t: WordPressTransport) -> Verdict:
    route = "/wp/v2/users/me"
    url = f"{t.base}/?rest_route={route}" if t.rest_route else f"{t.base}/wp-json{route}"
    response = _get(t, url, auth=t.auth, params={"context": "edit"})
    code, user = str(_body(response).get("code", "")), t.auth[0]
    if response.status_code == 200:
        return _ok("probe.wp_ok", user=_body(response).get("name") or user)
    if code == "incorrect_password":
        return _fail("probe.wp_password", user=user, var=_var(t, "app_password"))
    if code in ("invalid_username", "invalid_email"):
        return _fail("probe.wp_user", user=user, var=_var(t, "username"))
    if code == "rest_not_logged_in":
        return _fail("probe.wp_stripped")
    if response.status_code == 404:
        return _fail("probe.not_found", status=404)
    return _fail("probe.http", status=response.status_code, code=code)


def _graph(t: GraphTransport) -> Verdict:
    response = _get(
        t,
        f"{t.base}/{t.version}/me",
        params={"fields": "id,name"},
        headers={"Authorization": f"Bearer {t._token}"},
    )
    body = _body(response)
    if response.status_code == 200:
        if t.page_id and str(body.get("id")) != t.page_id:
            return _fail("probe.fb_other_page", got=body.get("id"), page=t.page_id)
        return _ok("probe.fb_ok", name=body.get("name", ""))
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code") if isinstance(error, dict) else None
    if code == 190:
        return _fail("probe.fb_token", var=_var(t, "page_token"))
    if code in (10, 200) or (isinstance(code, int) and 200 <= code <= 299):
        return _fail("probe.fb_permission", code=code)
    return _fail("probe.http", status=response.status_code, code=code or "")


def _zalo(t: ZaloTransport) -> Verdict:
    try:
        token = t.access_token()
    except ChannelError:  # Zalo refused the refresh token (or none is set)
        return _fail("probe.zalo_token", var=_var(t, "refresh_token"))
    for attempt in range(2):
        if attempt:  # -216: refresh once, as publishing does
            token = t.refresh(stale=token)
        response = _get(t, f"{t.base}/v2.0/oa/getoa", headers={"access_token": token})
        body = _body(response)  # HTTP 200 whatever happened: `error` says
        error = body.get("error")
        if error == 0:
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            return _ok("probe.zalo_ok", name=(data or {}).get("name", ""))
        if error != -216:
            return _fail("probe.zalo_error", code=error, text=str(body.get("message", ""))[:80])
    return _fail("probe.zalo_token", var=_var(t, "refresh_token"))


def _kannel(t: KannelTransport) -> Verdict:
    headers = {**t._auth(), "Content-Type": "text/plain; charset=UTF-8"}
    response = t.session.post(
        t.url, data=b"", headers=headers, timeout=t.timeout, allow_redirects=False
    )
    text = response.text.strip()[:80]
    if response.status_code == 403 and "Authorization" in text:
        return _fail("probe.kannel_auth", user=_var(t, "username"), var=_var(t, "password"))
    if response.status_code == 400 and "receiver" in text.lower():
        return _ok("probe.kannel_ok")
    if response.status_code == 403:
        return _fail("probe.kannel_refused", text=text)
    return _fail("probe.http", status=response.status_code, code=text)


def _esms(t: EsmsTransport) -> Verdict:
    base = t.url.split("/MainService.svc/", 1)[0]
    key, secret = t.target.secret("api_key") or "", t.target.secret("secret_key") or ""
    url = f"{base}/MainService.svc/json/GetBalance/{key}/{secret}"
    try:
        response = _get(t, url)
    except requests.RequestException as e:  # the URL holds the keys: name the error type only
        return _fail("probe.unreachable", error=type(e).__name__)
    body = _body(response)
    code = str(body.get("CodeResponse", body.get("CodeResult", "")))
    if code == "100":
        return _ok("probe.esms_ok", balance=body.get("Balance", "?"))
    if code == "101":
        return _fail("probe.esms_auth", key=_var(t, "api_key"), secret=_var(t, "secret_key"))
    return _fail("probe.http", status=response.status_code, code=code)


def _anthias(t: AnthiasTransport) -> Verdict:
    response = _get(t, f"{t.base}/assets", auth=t.auth)
    if response.status_code == 200:
        data = response.json()
        return _ok("probe.anthias_ok", count=len(data) if isinstance(data, list) else "?")
    if response.status_code in (401, 403):
        return _fail("probe.anthias_auth")
    return _fail("probe.http", status=response.status_code, code="")


def _webhook(t: WebhookTransport) -> Verdict:
    headers = {"Authorization": f"Bearer {t.token}"} if t.token else {}
    response = t.session.head(t.url, headers=headers, timeout=t.timeout, allow_redirects=False)
    if response.status_code in (401, 403):
        return _fail("probe.webhook_auth", var=_var(t, "token"))
    if response.status_code == 404:
        return _fail("probe.not_found", status=404)
    if response.status_code >= 500:
        return _fail("probe.http", status=response.status_code, code="")
    return _ok("probe.webhook_ok", status=response.status_code)


def _platform(t: PlatformTransport) -> Verdict:
    """The loudspeaker platform: a signed look-up of a schedule that does not exist (404 when
    the token is accepted), the request a publish makes before it uploads."""
    response = t._send("GET", f"{t.url}/schedules/loa-check-online", b"", {})
    if response.status_code in (401, 403):
        return _fail("probe.webhook_auth", var=_var(t, "token"))
    if response.status_code in (200, 404):
        return _ok("probe.webhook_ok", status=response.status_code)
    return _fail("probe.http", status=response.status_code, code="")


def _writable(folder: Path) -> Verdict:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".loa-check-"):
            pass
    except OSError as e:
        return _fail("probe.folder", folder=str(folder), error=e.strerror or type(e).__name__)
    return _ok("probe.folder_ok", folder=str(folder))


_PROBES: tuple[tuple[type[Any], Callable[[Any], Verdict]], ...] = (
    (WordPressTransport, _wordpress),
    (GraphTransport, _graph),
    (ZaloTransport, _zalo),
    (KannelTransport, _kannel),
    (EsmsTransport, _esms),
    (AnthiasTransport, _anthias),
    (WebhookTransport, _webhook),
    (PlatformTransport, _platform),
    (FolderTransport, lambda t: _writable(Path(t.path))),
    (OutboxTransport, lambda t: _writable(Path(t.root))),
)
