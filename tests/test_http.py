"""The shared HTTP plumbing: Retry-After parsing, status meaning, and URLs safe to log."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest
import requests

from campaigns.model import Target
from channels import http
from channels.errors import ConfigurationError, PermanentError, TransientError
from tests.adapter_cases import closed_port_url


def answer(
    status: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    response._content = body
    return response


def test_retry_after_reads_delta_seconds() -> None:
    assert http.retry_after(answer(429, {"Retry-After": " 120 "})) == 120.0


def test_retry_after_reads_an_http_date() -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)
    wait = http.retry_after(answer(503, {"Retry-After": email.utils.format_datetime(when, True)}))
    assert wait == pytest.approx(90, abs=2)


def test_retry_after_in_the_past_means_now() -> None:
    assert http.retry_after(answer(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0


@pytest.mark.parametrize("value", ["", "soon", "-5", "1.5e3"])
def test_retry_after_ignores_what_it_cannot_read(value: str) -> None:
    assert http.retry_after(answer(429, {"Retry-After": value})) is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (408, TransientError),
        (429, TransientError),
        (500, TransientError),
        (503, TransientError),
        (501, PermanentError),
        (400, PermanentError),
        (404, PermanentError),
        (302, PermanentError),
    ],
)
def test_error_for_classifies_by_status(status: int, kind: type[Exception]) -> None:
    assert isinstance(http.error_for(answer(status), "post"), kind)


def test_a_redirect_names_where_to_point_the_endpoint() -> None:
    error = http.error_for(answer(301, {"Location": "https://a.example/x?token=s3cret"}), "post")
    assert "https://a.example/x" in str(error) and "s3cret" not in str(error)


def test_safe_url_drops_user_info_and_query() -> None:
    assert (
        http.safe_url("https://u:pw@a.example:8443/p?access_token=t#f")
        == "https://a.example:8443/p"
    )


def test_garbled_json_is_transient() -> None:
    with pytest.raises(TransientError, match="malformed JSON"):
        http.json_of(answer(200, body=b"<html>"), "post")


def test_send_turns_a_refused_connection_into_a_transient_error() -> None:
    with requests.Session() as session, pytest.raises(TransientError, match="connection failed"):
        http.send(session, "GET", closed_port_url() + "/?key=s3cret", timeout=(0.5, 0.5))


def test_secret_refuses_a_variable_that_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOA_TEST_UNSET", raising=False)
    target = Target(
        "t1", "u", "website", "webhook", "https://a.example", {"token": "LOA_TEST_UNSET"}
    )
    with pytest.raises(ConfigurationError, match=r"t1: credentials.token names \$LOA_TEST_UNSET"):
        http.secret(target, "token")
    assert http.secret(target, "other", required=False) is None
