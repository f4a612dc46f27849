"""Every credential value loa holds, replaced by `***` in what it stores, shows or logs.

One function, `redact(config, text)`, used where error text is stored (deliveries, attempts,
sources, heartbeats) and by the logging filter every process installs. It replaces:
- the value of every environment variable a target names in `credentials`;
- the passwords in DATABASE_URL and REDIS_URL, and any `user:password@` in a URL;
- `Authorization:` header values, `Bearer …` and `Basic …` tokens;
- `access_token=`, `refresh_token=`, `client_secret=`, `password=` … query or form values.
A portal that echoes our request back (a 401 body quoting the Authorization header) cannot put
a token into the database, the page, the API or the logs.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from campaigns.model import Config

MASK = "***"
MIN_SECRET = 4  # shorter values ("1", "yes") would mask ordinary words
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*\[?[\"']?)[^\r\n\"',}\]]+")
_SCHEME = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/\-]{8,}=*)")
_TOKENISH = re.compile(r"[0-9+/=_\-.~]|[a-z][A-Z]")  # not an English word: "Basic Authentication"
_PARAM = re.compile(
    r"(?i)\b((?:access_token|refresh_token|id_token|token|api_key|apikey|secret_key|"
    r"client_secret|app_secret|password|passwd|secret)[\"']?\s*[=:]\s*\[?[\"']?)[^&\s\"',}\]]+"
)
SERVICE_URLS = ("DATABASE_URL", "REDIS_URL")


def secret_values(config: Config | None, environ: dict[str, str] | None = None) -> list[str]:
    """The values to hide: credentials the targets name, and the service URLs' passwords."""
    env = os.environ if environ is None else environ
    names = {v for t in (config.targets.values() if config else ()) for v in t.credentials.values()}
    values = [env.get(n) or "" for n in sorted(names)]
    for name in SERVICE_URLS:
        password = urlsplit(env.get(name) or "").password
        if password:
            values += [password, unquote(password)]
    return [v for v in values if len(v) >= MIN_SECRET]


@functools.lru_cache(maxsize=16)
def _exact(values: tuple[str, ...]) -> re.Pattern[str] | None:
    if not values:
        return None
    longest_first = sorted(set(values), key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in longest_first))


def redact_values(text: str, values: Iterable[str]) -> str:
    """`text` with these values and every credential-shaped string replaced by ***."""
    exact = _exact(tuple(values))
    if exact is not None:
        text = exact.sub(MASK, text)
    text = _USERINFO.sub(MASK + "@", text)
    text = _HEADER.sub(lambda m: m.group(1) + MASK, text)
    text = _SCHEME.sub(_scheme, text)
    return _PARAM.sub(lambda m: m.group(1) + MASK, text)


def _scheme(m: re.Match[str]) -> str:
    token = m.group(3)
    return m.group(1) + m.group(2) + MASK if _TOKENISH.search(token) else m.group(0)


def redact(config: Config | None, text: str) -> str:
    """`text` without any credential value loa holds (config's targets and the environment)."""
    return redact_values(text, secret_values(config))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message and traceback through `redact` before a handler writes."""

    def __init__(self) -> None:
        super().__init__("loa-redact")
        self.config: Config | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        values = secret_values(self.config)
        record.msg, record.args = redact_values(record.getMessage(), values), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_values(record.exc_text, values)
        return True


_filter = RedactingFilter()


def install_log_filter(config: Config | None) -> None:
    """Redact what every handler of the root logger writes, with this config's credentials."""
    _filter.config = config
    for handler in logging.getLogger().handlers:
        if _filter not in handler.filters:
            handler.addFilter(_filter)
