"""EnvSession reads the proxy and netrc environment once per host, and gets what requests gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from channels.session import EnvSession

URLS = [
    "https://cong.dongnai.gov.vn/api/posts",
    "https://cong.dongnai.gov.vn/api/posts/2",
    "http://noi-bo.local:8080/hook",
    "https://graph.facebook.com/v21.0/123/feed",
]


def settings(session: requests.Session, url: str, verify: bool = True) -> Any:
    return session.merge_environment_settings(url, {}, None, verify, None)


def test_proxies_and_no_proxy_from_the_environment_as_requests_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.dongnai.gov.vn:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.dongnai.gov.vn:3128")
    monkeypatch.setenv("NO_PROXY", "noi-bo.local,.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    ours, plain = EnvSession(), requests.Session()
    for url in URLS + URLS:  # the second pass is served from the cache
        assert settings(ours, url) == settings(plain, url), url
        assert settings(ours, url, False) == settings(plain, url, False), url
    assert settings(ours, URLS[0])["proxies"]["https"] == "http://proxy.dongnai.gov.vn:3128"
    assert "https" not in settings(ours, URLS[2])["proxies"]
    assert settings(ours, URLS[2])["proxies"] == settings(plain, URLS[2])["proxies"]
    # an answer handed out is a copy: changing it does not change the next one
    settings(ours, URLS[0])["proxies"]["https"] = "http://elsewhere:1"
    assert settings(ours, URLS[0])["proxies"]["https"] == "http://proxy.dongnai.gov.vn:3128"


def test_netrc_credentials_are_used_per_host_and_no_netrc_adds_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine cong.dongnai.gov.vn login loa password bi-mat\n", "utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    ours, plain = EnvSession(), requests.Session()
    for url in URLS + URLS:
        mine = ours.prepare_request(requests.Request("POST", url, data=b"{}"))
        theirs = plain.prepare_request(requests.Request("POST", url, data=b"{}"))
        assert mine.headers.get("Authorization") == theirs.headers.get("Authorization"), url
    first = ours.prepare_request(requests.Request("GET", URLS[0]))
    assert first.headers["Authorization"].startswith("Basic ")
    other = ours.prepare_request(requests.Request("GET", URLS[3]))
    assert "Authorization" not in other.headers
    assert ours.trust_env is True  # restored after a host without credentials
    explicit = ours.prepare_request(requests.Request("GET", URLS[0], auth=("a", "b")))
    assert (
        explicit.headers["Authorization"]
        == requests.Request("GET", URLS[0], auth=("a", "b")).prepare().headers["Authorization"]
    )
