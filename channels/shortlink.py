"""Short links for SMS: the site's own `?p=ID` address, or a shortener service's answer.

An SMS target's `short_link` option is `site` (the WordPress post the unit published for the
same item: `{site}/?p={id}`) or the http(s) address of a shortener that takes
`POST {"url": long}` and answers JSON with `short_url` (or `shorturl`, `link`). The SMS
format uses the short link only when it makes the message cost fewer parts.
"""

from __future__ import annotations

import logging

import requests

from campaigns.model import Target
from campaigns.text import web_url
from channels import http
from channels.errors import ChannelError, ConfigurationError

log = logging.getLogger(__name__)

SITE = "site"
ANSWER_KEYS = ("short_url", "shorturl", "link")


def mode(target: Target) -> str | None:
    """`site`, a shortener's address, or None; raises ConfigurationError for anything else."""
    value = target.options.get("short_link")
    if value in (None, False, "", "none"):
        return None
    if value == SITE or (isinstance(value, str) and web_url(value)):
        return str(value)
    raise ConfigurationError(
        f"target {target.id}: options.short_link must be 'site' or a shortener's http(s) "
        f"address, not {value!r}"
    )


def site_link(website: Target, post_id: str) -> str | None:
    """The short address WordPress gives every post (`/?p=ID`), for a WordPress target."""
    if website.transport != "wordpress" or not post_id.isdigit() or not website.endpoint:
        return None
    return f"{website.endpoint.rstrip('/')}/?p={post_id}"


def shortened(session: requests.Session, target: Target, endpoint: str, url: str) -> str | None:
    """The shortener's link for `url`, or None (logged) when it cannot give one: an SMS is
    never held back for want of a short link; it goes with the long one."""
    token = target.secret("shortener_token")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = tuple(target.options.get("timeout", (3.05, 10.0)))
    try:
        response = http.send(
            session,
            "POST",
            endpoint,
            timeout=(timeout[0], timeout[1]),
            json={"url": url},
            headers=headers,
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            raise http.error_for(response, "shorten link")
        answer = http.json_of(response, "shorten link")
    except ChannelError as e:
        log.warning("%s: no short link, the SMS keeps the long one: %s", target.id, e)
        return None
    found = next(
        (answer.get(k) for k in ANSWER_KEYS if isinstance(answer, dict) and answer.get(k)), None
    )
    return web_url(found) if isinstance(found, str) else None
