"""AnthiasTransport against a local fake player: one table of outcomes, then lookups."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest
import requests

from campaigns.model import Target
from channels.anthias import AnthiasTransport
from channels.base import Attachment, Message, Receipt
from channels.errors import ConfigurationError, PermanentError, TransientError
from tests.adapter_cases import Case, run_case
from tests.fakes.anthias import API, FakeAnthias, drf_error
from tests.fakes.base import FakeServer, Response
from tests.fakes.routed import on

USER, PASSWORD = "pi", "m4n-h1nh-ch0"
SECRETS = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
NAME = "loa-7c1e9a0b3d52"
SLIDE = b"\x89PNG\r\n\x1a\n" + bytes(128)
ASSETS, UPLOAD = f"{API}/assets", f"{API}/file_asset"


def target(url: str, **options: object) -> Target:
    return Target(
        id="ttpvhcc-screen-1",
        unit="ttpvhcc",
        kind="screen",
        transport="anthias",
        endpoint=url,
        credentials={"username": "SCREEN_USER", "password": "SCREEN_PASSWORD"},
        options={"timeout": (0.5, 0.5), **options},
    )


def message(**body: object) -> Message:
    fields = {
        "name": NAME,
        "start_date": "2024-05-01T00:00:00Z",
        "end_date": "2099-05-08T00:00:00Z",
        "duration": 15,
        "title": "Tuần lễ cải cách hành chính",
        **body,
    }
    return Message(
        kind="screen",
        title="Tuần lễ cải cách hành chính",
        text="",
        body=fields,
        attachments=(Attachment(f"{NAME}.png", "image/png", SLIDE),),
        reference=NAME,
        delivery_id=11,
    )


def created(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeAnthias) and isinstance(outcome, Receipt)
    asset = fake.assets[0]
    assert outcome.remote_id == asset["asset_id"] and outcome.detail["is_active"] is True
    assert (asset["name"], asset["mimetype"], asset["duration"]) == (NAME, "image", 15)
    assert asset["is_enabled"] is True and asset["skip_asset_check"] is True
    assert (asset["start_date"], asset["end_date"]) == (
        "2024-05-01T00:00:00Z",
        "2099-05-08T00:00:00Z",
    )
    assert fake.files[asset["uri"]] == SLIDE and asset["uri"].endswith(".png")


def not_posted(fake: FakeServer, outcome: object) -> None:
    assert isinstance(fake, FakeAnthias) and isinstance(outcome, Receipt)
    assert outcome.remote_id == "a1" and not fake.sent("POST", API)


def says(*words: str) -> Callable[[FakeServer, object], None]:
    def check(fake: FakeServer, outcome: object) -> None:
        assert all(w in str(outcome) for w in words), str(outcome)

    return check


MINE = [{"asset_id": "a1", "name": NAME, "is_active": True}]
COPY = [{"asset_id": "a2", "name": f"{NAME}-1", "is_active": True}]
CASES = [
    Case("uploads the slide and creates an image asset for its window", check=created),
    Case(
        "returns the asset already under the name instead of adding it twice",
        (on("GET", ASSETS, Response(200, MINE)),),
        check=not_posted,
    ),
    Case(
        "adds the asset when only a -1 copy of the name exists",
        (on("GET", ASSETS, Response(200, COPY)),),
        check=created,
    ),
    Case(
        "stops and names the fields a DRF 400 rejects",
        (on("POST", ASSETS, drf_error(end_date="Datetime has wrong format.")),),
        PermanentError,
        check=says("end_date: Datetime has wrong format."),
    ),
    Case(
        "stops when the player refuses the Basic auth",
        (on("GET", ASSETS, Response(401, "Access denied")),),
        PermanentError,
        check=says("401", "Basic auth"),
    ),
    Case(
        "stops when the player has no v2 API",
        (on("GET", ASSETS, Response(404, "")),),
        PermanentError,
        check=says("/api/v2"),
    ),
    Case(
        "retries after the player fails the upload",
        (on("POST", UPLOAD, Response(500, "Server Error (500)")),),
        TransientError,
    ),
    Case(
        "retries after the seconds a 503 asks for",
        (on("POST", ASSETS, Response(503, "busy", {"Retry-After": "45"})),),
        TransientError,
        retry_after=45,
    ),
    Case(
        "retries after a 429",
        (on("GET", ASSETS, Response(429, "", {"Retry-After": "5"})),),
        TransientError,
        retry_after=5,
    ),
    Case(
        "retries when the upload times out",
        (on("POST", UPLOAD, Response(200, {}, delay=0.8)),),
        TransientError,
        check=says("timed out"),
    ),
    Case("retries when the player is unreachable", refused=True, expect=TransientError),
    Case(
        "retries when the connection drops",
        (on("POST", ASSETS, Response(drop=True)),),
        TransientError,
    ),
    Case(
        "retries on a garbled create answer",
        (on("POST", ASSETS, Response(201, b'{"asset')),),
        TransientError,
        check=says("malformed JSON"),
    ),
    Case(
        "retries when the upload answer has no uri",
        (on("POST", UPLOAD, Response(200, {"ext": ".png"})),),
        TransientError,
    ),
]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREEN_USER", USER)
    monkeypatch.setenv("SCREEN_PASSWORD", PASSWORD)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAnthias]:
    fake = FakeAnthias(auth=(USER, PASSWORD))
    with fake.running():
        yield fake


@pytest.fixture
def player(server: FakeAnthias) -> FakeAnthias:
    server.reset()
    return server


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_publish(
    case: Case, player: FakeAnthias, session: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    def make(url: str) -> AnthiasTransport:
        return AnthiasTransport(target(url), session=session)

    run_case(case, player, make, message(), caplog, SECRETS)


def test_publishing_again_keeps_one_asset(player: FakeAnthias, session: requests.Session) -> None:
    transport = AnthiasTransport(target(player.url), session=session)
    first, again = transport.publish(message()), transport.publish(message())
    assert first.remote_id == again.remote_id and len(player.assets) == 1


def test_a_renamed_asset_is_reported(player: FakeAnthias, session: requests.Session) -> None:
    transport = AnthiasTransport(target(player.url, precheck=False), session=session)
    transport.publish(message())
    second = transport.publish(message())
    assert second.detail["warnings"] == [f"name became {NAME}-1"]


def test_lookup_finds_the_asset_by_exact_name(
    player: FakeAnthias, session: requests.Session
) -> None:
    transport = AnthiasTransport(target(player.url), session=session)
    receipt = transport.publish(message())
    found = transport.lookup(message())
    assert found is not None and found.remote_id == receipt.remote_id


def test_lookup_returns_none_when_no_asset_has_the_name(
    player: FakeAnthias, session: requests.Session
) -> None:
    player.assets.append({"asset_id": "z", "name": f"{NAME}-1"})
    assert AnthiasTransport(target(player.url), session=session).lookup(message()) is None


def test_a_wrong_password_is_refused_by_the_player(
    player: FakeAnthias, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREEN_PASSWORD", "sai")
    with pytest.raises(PermanentError, match="401"):
        AnthiasTransport(target(player.url), session=session).publish(message())


def test_a_slide_whose_window_has_ended_is_not_put_on_the_player(
    player: FakeAnthias, session: requests.Session
) -> None:
    """Sent after its window (approved too late): a plain failure, not an asset never shown."""
    transport = AnthiasTransport(target(player.url), session=session)
    with pytest.raises(PermanentError, match="has passed"):
        transport.publish(message(end_date="2024-05-15T00:00:00Z"))
    assert player.assets == [] and player.files == {}


def test_a_slide_without_its_window_is_refused(session: requests.Session) -> None:
    transport = AnthiasTransport(target("http://127.0.0.1:9"), session=session)
    with pytest.raises(PermanentError, match="end_date"):
        transport.publish(message(end_date=""))


@pytest.mark.parametrize(
    ("endpoint", "names", "words"),
    [
        ("player.local", {}, "endpoint"),
        ("http://player.local", {"username": "SCREEN_USER"}, "both"),
    ],
)
def test_bad_settings_are_refused_naming_the_target(
    endpoint: str, names: dict[str, str], words: str
) -> None:
    settings = Target("ttpvhcc-screen-1", "ttpvhcc", "screen", "anthias", endpoint, names, {})
    with pytest.raises(ConfigurationError, match="ttpvhcc-screen-1") as refused:
        AnthiasTransport(settings)
    assert words in str(refused.value)


def test_a_player_without_auth_needs_no_credentials(session: requests.Session) -> None:
    settings = Target("s2", "ttpvhcc", "screen", "anthias", "http://192.168.1.20", {}, {})
    assert AnthiasTransport(settings, session=session).auth is None
