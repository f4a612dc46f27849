"""A requests.Session that reads the proxy, CA-bundle and netrc environment once per host.

With `trust_env` (the default, and what a government network behind a proxy needs) requests
looks the environment up again on every request: every variable of os.environ decoded and
scanned for proxies twice (`getproxies_environment`), `no_proxy` matched, and ~/.netrc looked
for with three `stat` calls. Profiled in the delivery benchmark that was about a quarter of
the CPU a webhook delivery costs. The environment of a running worker does not change, so the
answer is kept per (scheme, host) and per request option; the result is the same settings
requests would compute. A changed environment is seen by a new session (a new process).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_netrc_auth

_NONE = object()


class EnvSession(requests.Session):
    """requests.Session, with its environment lookups cached per host (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._netrc: dict[str, Any] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        if not self.trust_env or proxies or not _hashable(verify, cert):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(str(url))
        key = (parts.scheme, parts.netloc, stream, verify, cert, _frozen(self.proxies))
        found = self._settings.get(key)
        if found is None:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            found = self._settings[key] = dict(merged)
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in found.items()}

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        if not self.trust_env or request.auth or self.auth:
            return super().prepare_request(request)
        netloc = urlsplit(str(request.url)).netloc
        auth = self._netrc.get(netloc, _NONE)
        if auth is _NONE:
            auth = self._netrc[netloc] = get_netrc_auth(request.url)
        if auth is not None:
            request.auth = auth
            return super().prepare_request(request)
        self.trust_env = False  # only prepare_request's netrc lookup reads it here
        try:
            return super().prepare_request(request)
        finally:
            self.trust_env = True


def _hashable(*values: Any) -> bool:
    try:
        hash(values)
    except TypeError:
        return False
    return True


def _frozen(proxies: Any) -> Any:
    return tuple(sorted((proxies or {}).items()))
