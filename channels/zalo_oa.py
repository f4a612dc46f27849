"""Publishes a Zalo OA article: create it (Zalo gives a token), then verify until it has an id."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import requests

from campaigns.model import Target
from channels import http
from channels.base import Message, Receipt, Transport
from channels.errors import (
    RESUME_WAIT,
    ConfigurationError,
    PermanentError,
    TransientError,
    VerifyPending,
)
from channels.zalo_tokens import FileTokenStore, Tokens, TokenStore

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://openapi.zalo.me"
OAUTH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"
CREATE, VERIFY = "/v2.0/article/create", "/v2.0/article/verify"
RATE_LIMITED, INVALID_PARAMETER, PROCESSING, TOKEN_INVALID = -32, -201, -214, -216

RATE_WAIT = 60.0
"""Seconds to wait after -32: Zalo publishes no limits, so a minute, with concurrency 1-2 per OA."""
FALLBACK_LIFETIME = 3600.0
"""Seconds an access token is trusted when Zalo's `expires_in` cannot be read."""


class ZaloTransport(Transport):
    """One article per Message; tokens live in a TokenStore as a refresh token is single-use."""

    name: ClassVar[str] = "zalo_oa"
    kinds: ClassVar[tuple[str, ...]] = ("zalo",)
    can_lookup: ClassVar[bool] = False

    def __init__(
        self,
        target: Target,
        *,
        session: requests.Session | None = None,
        store: TokenStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(target, session=session)
        options = target.options
        self.base = http.base_url(_with_endpoint(target, target.endpoint or DEFAULT_ENDPOINT))
        self.oauth_url = http.base_url(
            _with_endpoint(target, str(options.get("oauth_url", OAUTH_URL)))
        )
        self._app_id = http.secret(target, "app_id") or ""
        self._app_secret = http.secret(target, "app_secret") or ""
        if not target.credentials.get("refresh_token"):
            raise ConfigurationError(
                f"target {target.id}: credentials.refresh_token must name "
                "the environment variable holding the first refresh token"
            )
        if store is None:
            if not options.get("token_file"):
                raise ConfigurationError(
                    f"target {target.id}: options.token_file must say where "
                    "the OA's rotating tokens are kept"
                )
            store = FileTokenStore(str(options["token_file"]))
        self.store = store
        self.polls = max(1, int(_positive(target, "verify_polls", 5)))
        self.interval = _positive(target, "verify_interval", 1.0)
        self.interval_cap = _positive(target, "verify_interval_cap", 8.0)
        self.sleep = sleep
        self._pending: dict[str, str] = {}

    def publish(self, message: Message) -> Receipt:
        """Create then verify, or only verify a known token; raises VerifyPending carrying it.

        The token is known from `message.resume` (an earlier attempt, from the database) or
        from this transport's memory of its own earlier attempt.
        """
        key = message.reference or str(message.delivery_id or "")
        resumed = message.resume.verify_token if message.resume else None
        token = resumed or (key and self._pending.get(key))
        if token:
            log.info("resuming verification of %s on %s", key, self.target.id)
        else:
            article = dict(message.body)
            token = self.data_of(self.call(CREATE, article), "article/create").get("token")
            if not token:
                raise TransientError("Zalo article/create answered without a token")
        try:
            article_id, polls = self.verify(str(token))
        except TransientError as e:
            self.remember(key, str(token))
            if isinstance(e, VerifyPending):
                raise
            raise VerifyPending(
                f"{e} (the article was created: verify it again, do not create)",
                resume=str(token),
                retry_after=e.retry_after,
                status=e.status,
            ) from e
        except PermanentError:
            self._pending.pop(key, None)
            raise
        self._pending.pop(key, None)
        log.info("published %s to Zalo OA %s as article %s", key, self.target.id, article_id)
        return Receipt(remote_id=article_id, status=200, detail={"verify_polls": polls})

    def remember(self, key: str, token: str) -> None:
        """Keep a created article's verify token so this process's retry verifies, not creates."""
        if key:
            self._pending[key] = token

    def verify(self, token: str) -> tuple[str, int]:
        """Poll article/verify with back-off while Zalo answers -214; the id and polls it took."""
        delay = self.interval
        for attempt in range(1, self.polls + 1):
            envelope = self.call(VERIFY, {"token": token})
            if envelope["error"] != PROCESSING:
                article_id = self.data_of(envelope, "article/verify").get("id")
                if not article_id:
                    raise TransientError("Zalo article/verify answered without an id")
                return str(article_id), attempt
            if attempt < self.polls:
                self.sleep(delay)
                delay = min(delay * 2, self.interval_cap)
        raise VerifyPending(
            f"Zalo is still processing the article after {self.polls} checks", resume=token
        )

    def call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST to the OA API; on -216 refresh the token once and try once more. The envelope."""
        token = self.access_token()
        envelope = self.post(path, payload, token)
        if envelope["error"] == TOKEN_INVALID:
            log.info("Zalo rejected the access token of %s: refreshing once", self.target.id)
            envelope = self.post(path, payload, self.refresh(stale=token))
        return envelope

    def post(self, path: str, payload: Mapping[str, Any], token: str) -> dict[str, Any]:
        """One API request; anything but a JSON envelope is a TransientError."""
        response = http.send(
            self.session,
            "POST",
            self.base + path,
            timeout=self.timeout,
            json=dict(payload),
            headers={"access_token": token},
        )
        if not response.ok:
            raise http.error_for(response, f"Zalo {path}")
        body = http.json_of(response, f"Zalo {path}")
        if not isinstance(body, dict) or not isinstance(body.get("error"), int):
            raise TransientError(f"Zalo {path}: answer without an error code", status=200)
        return body

    @staticmethod
    def data_of(envelope: Mapping[str, Any], what: str) -> dict[str, Any]:
        """`data` of a successful envelope; raises the error any other code means."""
        code = envelope["error"]
        if code == 0:
            data = envelope.get("data")
            return data if isinstance(data, dict) else {}
        text = f"Zalo {what}: error {code} ({str(envelope.get('message', ''))[:200]})"
        if code == RATE_LIMITED:
            raise TransientError(text + ": rate limited", retry_after=RATE_WAIT, status=200)
        if code == PROCESSING:
            raise TransientError(text, retry_after=RESUME_WAIT, status=200)
        if code == TOKEN_INVALID:
            text += ": rejected even after a refresh; check the OA's app id and authorisation"
        raise PermanentError(text, status=200)

    def access_token(self) -> str:
        """A usable access token: the stored one while fresh, else a refreshed one."""
        tokens = self.store.load()
        if tokens is not None and tokens.fresh():
            return tokens.access_token
        return self.refresh(stale=tokens.access_token if tokens else None)

    def refresh(self, *, stale: str | None) -> str:
        """Spend the refresh token once, under the store's lock; save the new pair before use."""
        with self.store.lock():
            current = self.store.load()
            if current is not None and current.access_token != stale and current.fresh():
                return current.access_token  # another worker refreshed while we waited
            seed = current.refresh_token if current else self.target.secret("refresh_token")
            if not seed:
                var = self.target.credentials.get("refresh_token")
                raise PermanentError(
                    f"Zalo OA {self.target.id}: no stored tokens and ${var} is not set"
                )
            tokens = self.exchange(seed)
            self.store.save(tokens)
        log.info("refreshed the Zalo OA token of %s", self.target.id)
        return tokens.access_token

    def exchange(self, refresh_token: str) -> Tokens:
        """Trade a refresh token for a new pair; raises PermanentError when Zalo refuses it."""
        form = {
            "app_id": self._app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        headers = {"secret_key": self._app_secret}
        try:
            response = http.send(
                self.session,
                "POST",
                self.oauth_url,
                timeout=self.timeout,
                data=form,
                headers=headers,
            )
        except TransientError:
            log.warning(
                "Zalo token refresh for %s got no answer: if Zalo rotated the token "
                "anyway, the OA must be authorised again",
                self.target.id,
            )
            raise
        if not response.ok:
            raise http.error_for(response, "Zalo token refresh")
        return self.tokens_of(http.json_of(response, "Zalo token refresh"))

    def tokens_of(self, body: Any) -> Tokens:
        """The new pair in an OAuth answer (never quoted in errors: it holds the tokens)."""
        if not isinstance(body, dict):
            raise TransientError("Zalo token refresh: answer is not an object", status=200)
        if body.get("access_token") and body.get("refresh_token"):
            lifetime = _lifetime(body.get("expires_in"))
            return Tokens(
                str(body["access_token"]), str(body["refresh_token"]), time.time() + lifetime
            )
        reason = body.get("error_reason") or body.get("error_name") or body.get("message")
        raise PermanentError(
            f"Zalo token refresh for {self.target.id} refused: error {body.get('error')} "
            f"({str(reason)[:200]}); authorise the OA again, put the new refresh token in "
            f"${self.target.credentials.get('refresh_token')} and delete the stored tokens",
            status=200,
        )


def _lifetime(expires_in: Any) -> float:
    """Seconds from Zalo's `expires_in`, which is a string like "90000"."""
    try:
        return float(str(expires_in).strip())
    except ValueError:
        log.warning(
            "Zalo sent an unreadable expires_in; trusting the token for %ss", FALLBACK_LIFETIME
        )
        return FALLBACK_LIFETIME


def _with_endpoint(target: Target, endpoint: str) -> Target:
    return dataclasses.replace(target, endpoint=endpoint)


def _positive(target: Target, name: str, default: float) -> float:
    """A positive number option; ConfigurationError otherwise."""
    value = target.options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"target {target.id}: options.{name} must be a positive number")
    return float(value)
