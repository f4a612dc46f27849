"""`loa check --online` against the local fakes and the real Kannel: one harmless signed-in
request per target, a verdict per target in plain words, never a secret."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.factories import campaign, write_config
from tests.fakes.anthias import FakeAnthias
from tests.fakes.esms import FakeEsms
from tests.fakes.graph import PAGE_ID, PAGE_TOKEN, GraphFake
from tests.fakes.loudspeaker import FakePlatform
from tests.fakes.webhook import FakeWebhook
from tests.fakes.wordpress import FakeWordPress
from tests.fakes.zalo import APP_ID, APP_SECRET, OAUTH_PATH, SEED_REFRESH, ZaloFake
from tests.kannel_gateway import PASSWORD, USERNAME, KannelGateway, running_kannel
from worker.cli.main import main

WP_PASSWORD = "abcd efgh ijkl mnop"
SECRETS = {
    "LOA_T_WP_USER": "editor",
    "LOA_T_WP_PASS": WP_PASSWORD,
    "LOA_T_HOOK": "hook-token-123",
    "LOA_T_FB": PAGE_TOKEN,
    "LOA_T_ZALO_APP": APP_ID,
    "LOA_T_ZALO_SECRET": APP_SECRET,
    "LOA_T_ZALO_REFRESH": SEED_REFRESH,
    "LOA_T_ESMS_KEY": "key",
    "LOA_T_ESMS_SECRET": "secret",
    "LOA_T_SCREEN_USER": "screen",
    "LOA_T_SCREEN_PASS": "screen-pass",
    "LOA_T_LOA": "station-token-456",
}
FAST = {"allow_http": True, "timeout": [1.0, 3.0]}


class Fakes:
    def __init__(self) -> None:
        self.wp = FakeWordPress()
        self.hook = FakeWebhook(token=SECRETS["LOA_T_HOOK"])
        self.graph = GraphFake()
        self.zalo = ZaloFake()
        self.esms = FakeEsms()
        self.anthias = FakeAnthias(auth=("screen", "screen-pass"))
        self.platform = FakePlatform(token=SECRETS["LOA_T_LOA"])


@pytest.fixture(scope="module")
def fakes() -> Iterator[Fakes]:
    f = Fakes()
    with ExitStack() as stack:
        for fake in (f.wp, f.hook, f.graph, f.zalo, f.esms, f.anthias, f.platform):
            stack.enter_context(fake.running())
        yield f


@pytest.fixture
def root(tmp_path: Path, fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    fakes.zalo.reset()
    targets: list[dict[str, Any]] = [
        {
            "unit": "bien-hoa",
            "kind": "website",
            "transport": "wordpress",
            "endpoint": fakes.wp.url,
            "credentials": {"username": "LOA_T_WP_USER", "app_password": "LOA_T_WP_PASS"},
            "options": FAST,
        },
        {
            "unit": "so-noi-vu",
            "kind": "website",
            "name": "cong",
            "transport": "webhook",
            "endpoint": fakes.hook.hook,
            "credentials": {"token": "LOA_T_HOOK"},
            "options": FAST,
        },
        {
            "unit": "so-noi-vu",
            "kind": "facebook",
            "transport": "graph",
            "endpoint": fakes.graph.url,
            "credentials": {"page_token": "LOA_T_FB"},
            "options": {**FAST, "page_id": PAGE_ID},
        },
        {
            "unit": "so-noi-vu",
            "kind": "zalo",
            "transport": "zalo_oa",
            "endpoint": fakes.zalo.url,
            "credentials": {
                "app_id": "LOA_T_ZALO_APP",
                "app_secret": "LOA_T_ZALO_SECRET",
                "refresh_token": "LOA_T_ZALO_REFRESH",
            },
            "options": {
                **FAST,
                "oauth_url": fakes.zalo.url + OAUTH_PATH,
                "token_file": str(tmp_path / "zalo-tokens.json"),
            },
        },
        {
            "unit": "so-noi-vu",
            "kind": "sms",
            "transport": "esms",
            "endpoint": fakes.esms.endpoint,
            "credentials": {"api_key": "LOA_T_ESMS_KEY", "secret_key": "LOA_T_ESMS_SECRET"},
            "options": {**FAST, "brandname": "UBND-DNAI"},
        },
        {
            "unit": "so-noi-vu",
            "kind": "screen",
            "transport": "anthias",
            "endpoint": fakes.anthias.url,
            "credentials": {"username": "LOA_T_SCREEN_USER", "password": "LOA_T_SCREEN_PASS"},
            "options": FAST,
        },
        {
            "unit": "bien-hoa",
            "kind": "screen",
            "transport": "folder",
            "options": {"path": str(tmp_path / "screens")},
        },
        {"unit": "bien-hoa", "kind": "sms", "transport": "outbox"},
        {
            "unit": "bien-hoa",
            "kind": "loudspeaker",
            "transport": "http",
            "endpoint": fakes.platform.url,
            "credentials": {"token": "LOA_T_LOA"},
            "options": {**FAST, "audio": False, "slots": ["06:00", "17:00"]},
        },
    ]
    monkeypatch.setenv("LOA_OUTBOX", str(tmp_path / "outbox"))
    return write_config(
        tmp_path / "config", targets=targets, campaigns=[campaign(channels=["website"])]
    )


def online(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> tuple[int, str]:
    code = main(["check", "--online", "--config", str(root), *argv])
    out, err = capsys.readouterr()
    text = out + err
    for value in SECRETS.values():
        if len(value) > 8:
            assert value not in text  # secrets never printed
    return code, text


def verdicts(text: str) -> dict[str, str]:
    """target id -> its verdict line."""
    found = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[0] in {"OK", "FAIL", "ĐƯỢC", "LỖI"}:
            found[parts[1]] = line
    return found


def test_every_target_gets_a_verdict_and_all_pass(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = online(capsys, root, "--lang", "en")
    lines = verdicts(text)
    assert code == 0, text
    assert set(lines) == {
        "bien-hoa/website",
        "so-noi-vu/cong",
        "so-noi-vu/facebook",
        "so-noi-vu/zalo",
        "so-noi-vu/sms",
        "so-noi-vu/screen",
        "bien-hoa/screen",
        "bien-hoa/sms",
        "bien-hoa/loudspeaker",
    }
    assert all(line.startswith("OK ") for line in lines.values()), lines
    assert "signed in as editor" in lines["bien-hoa/website"]
    assert "UBND Thành phố Biên Hòa" in lines["so-noi-vu/facebook"]
    assert "UBND tỉnh Đồng Nai" in lines["so-noi-vu/zalo"]
    assert "800000 VND" in lines["so-noi-vu/sms"]
    assert "9 target(s) asked: 9 OK, 0 failing" in text


def test_a_wrong_wordpress_password_is_named_as_such_in_both_languages(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_T_WP_PASS", "wrong wrong wrong")
    code, text = online(capsys, root, "--target", "bien-hoa/website", "--lang", "en")
    assert code == 2
    (line,) = verdicts(text).values()
    assert line.startswith("FAIL  bien-hoa/website (wordpress): wrong application password")
    assert "check the application password of user editor" in line and "$LOA_T_WP_PASS" in line
    assert "wrong wrong wrong" not in text
    code, text = online(capsys, root, "--target", "bien-hoa/website", "--lang", "vi")
    (line,) = verdicts(text).values()
    assert "LỖI" in line and "kiểm tra mật khẩu ứng dụng của người dùng editor" in line


@pytest.mark.parametrize(
    ("variable", "value", "target", "says"),
    [
        ("LOA_T_WP_USER", "nobody", "bien-hoa/website", "the site has no user nobody"),
        ("LOA_T_FB", "EAAG-expired", "so-noi-vu/facebook", "Page access token is wrong"),
        ("LOA_T_ZALO_REFRESH", "spent", "so-noi-vu/zalo", "authorise the OA again"),
        ("LOA_T_ESMS_SECRET", "nope", "so-noi-vu/sms", "eSMS refuses the keys"),
        ("LOA_T_HOOK", "stale-token", "so-noi-vu/cong", "the portal refuses the token"),
        ("LOA_T_SCREEN_PASS", "guess", "so-noi-vu/screen", "the player asks for a login"),
        ("LOA_T_LOA", "old-station-token", "bien-hoa/loudspeaker", "refuses the token"),
    ],
)
def test_each_wrong_credential_gets_its_own_fix(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    target: str,
    says: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, text = online(capsys, root, "--lang", "en")
    lines = verdicts(text)
    assert code == 2
    assert lines[target].startswith("FAIL") and says in lines[target], lines[target]
    failing = [t for t, line in lines.items() if line.startswith("FAIL")]
    assert failing == [target]  # the others still pass


def test_filters_pick_the_targets_asked(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, text = online(capsys, root, "--channel", "screen", "--lang", "en")
    assert set(verdicts(text)) == {"so-noi-vu/screen", "bien-hoa/screen"}
    _, text = online(capsys, root, "--unit", "bien-hoa", "--lang", "en")
    assert set(verdicts(text)) == {
        "bien-hoa/website",
        "bien-hoa/screen",
        "bien-hoa/sms",
        "bien-hoa/loudspeaker",
    }
    code, text = online(capsys, root, "--target", "bien-hoa/nowhere", "--lang", "en")
    assert code == 2 and "no target 'bien-hoa/nowhere'" in text


@pytest.fixture(scope="module")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelGateway]:
    with running_kannel(Path(tmp_path_factory.mktemp("kannel"))) as gateway:
        yield gateway


def test_the_real_kannel_checks_the_sendsms_login(
    tmp_path: Path,
    kannel: KannelGateway,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOA_T_KANNEL_USER", USERNAME)
    monkeypatch.setenv("LOA_T_KANNEL_PASS", PASSWORD)
    target = {
        "unit": "bien-hoa",
        "kind": "sms",
        "transport": "kannel",
        "endpoint": kannel.sendsms_url,
        "credentials": {"username": "LOA_T_KANNEL_USER", "password": "LOA_T_KANNEL_PASS"},
        "options": {"timeout": [1.0, 5.0]},
    }
    website = {"units": "all", "kind": "website", "transport": "outbox"}
    root = write_config(
        tmp_path / "config",
        targets=[target, website],
        campaigns=[campaign(channels=["website", "sms"])],
    )
    before = len(kannel.received())
    code, text = online(capsys, root, "--channel", "sms", "--lang", "en")
    assert code == 0 and "Kannel accepts the sendsms user name and password" in text
    monkeypatch.setenv("LOA_T_KANNEL_PASS", "not-the-password")
    code, text = online(capsys, root, "--channel", "sms", "--lang", "en")
    assert code == 2 and "Kannel refuses the login" in text
    assert "not-the-password" not in text
    assert len(kannel.received()) == before  # nothing was sent
