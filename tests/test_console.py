"""The console's accounts, roles, sessions, CSRF, login throttle and actions."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.seed import NOW, first_delivery, seed_runtime
from worker.cli.main import main
from worker.engine.runtime import Runtime
from worker.store import accounts
from worker.store.models import Account, Action, Delivery
from worker.web.page import create_app

PASSWORD = "mật khẩu đủ dài 2024"


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return seed_runtime(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")


def _add(rt: Runtime, name: str, role: str) -> None:
    with rt.sessions.begin() as s:
        accounts.add(s, name, role, PASSWORD, NOW)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _signed_in(rt: Runtime, name: str) -> FlaskClient:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    got = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert got.status_code == 302, got.get_data(as_text=True)
    return client


def test_without_accounts_the_page_reads_and_nobody_acts(rt: Runtime) -> None:
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    assert client.get("/").status_code == 200
    assert "Chỉ xem" in client.get("/").get_data(as_text=True)
    failed = first_delivery(rt, "failed")
    page = client.get(f"/deliveries/{failed.id}").get_data(as_text=True)
    assert 'data-action="retry"' not in page
    assert client.post("/act", data={"action": "retry", "ids": failed.id}).status_code == 400
    token = _token(client.get("/login").get_data(as_text=True))
    refused = client.post("/act", data={"action": "retry", "ids": failed.id, "csrf_token": token})
    assert refused.status_code == 401
    assert first_delivery(rt, "failed").id == failed.id


def test_with_accounts_every_page_and_the_api_ask_to_sign_in(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    got = client.get("/failures?unit=dinh-quan")
    assert got.status_code == 302 and "/login?next=/failures" in got.headers["Location"]
    assert client.get("/api/status").status_code == 401
    assert client.get("/deliveries/1").status_code == 302


def test_session_cookie_is_http_only_same_site_and_secure_over_https(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    token = _token(client.get("/login", base_url="https://loa.example").get_data(as_text=True))
    got = client.post(
        "/login",
        base_url="https://loa.example",
        headers={"Referer": "https://loa.example/login"},
        data={"name": "lan", "password": PASSWORD, "csrf_token": token},
    )
    cookie = got.headers["Set-Cookie"]
    assert "loa_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie
    plain = _signed_in(rt, "lan")
    assert plain.get("/").status_code == 200


def test_login_is_throttled_per_account_and_address(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    client = create_app(rt, wall_clock=lambda: NOW).test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    wrong = {"name": "lan", "password": "không phải mật khẩu", "csrf_token": token}
    codes = [client.post("/login", data=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = {**wrong, "password": PASSWORD}
    assert client.post("/login", data=right).status_code == 429  # still blocked
    other = client.post("/login", data=right, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302  # another address is not


def test_a_viewer_sees_no_buttons_and_may_not_act(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    client = _signed_in(rt, "lan")
    failed = first_delivery(rt, "failed")
    page = client.get(f"/deliveries/{failed.id}").get_data(as_text=True)
    assert "data-action=" not in page
    assert "data-action=" not in client.get("/failures").get_data(as_text=True)
    data = {"action": "retry", "ids": failed.id, "csrf_token": _token(page)}
    assert client.post("/act", data=data).status_code == 403


def test_an_operator_retries_through_the_same_action_and_audit_trail_as_the_cli(
    rt: Runtime,
) -> None:
    _add(rt, "hung", "operator")
    client = _signed_in(rt, "hung")
    failed = first_delivery(rt, "failed")
    page = client.get(f"/deliveries/{failed.id}").get_data(as_text=True)
    assert 'data-action="retry"' in page and 'data-action="approve"' not in page
    data = {
        "action": "retry",
        "ids": failed.id,
        "note": "đã sửa mật khẩu",
        "csrf_token": _token(page),
    }
    assert client.post("/act", data=data).status_code == 303
    with rt.sessions() as s:
        d = s.get(Delivery, failed.id)
        acts = list(s.scalars(select(Action).where(Action.delivery_id == failed.id)))
    assert d is not None and d.state == "retrying"
    assert [(a.user, a.action, a.detail) for a in acts] == [("hung", "retry", "đã sửa mật khẩu")]
    after = client.get(f"/deliveries/{failed.id}").get_data(as_text=True)
    assert "đã sửa mật khẩu" in after and "hung" in after
    forged = create_app(rt, wall_clock=lambda: NOW).test_client()
    refused = forged.post("/act", data={"action": "cancel", "ids": failed.id})
    assert refused.status_code == 400 and "chưa thay đổi gì" in refused.get_data(as_text=True)
    token_only = {"action": "cancel", "ids": failed.id, "csrf_token": _token(page)}
    assert forged.post("/act", data=token_only).status_code == 400  # a token of another session


def test_an_approver_approves_an_item_for_all_its_units_after_a_confirmation(
    rt: Runtime,
) -> None:
    _add(rt, "mai", "approver")
    client = _signed_in(rt, "mai")
    queue = client.get("/approvals").get_data(as_text=True)
    item = re.search(r'id="item-(\d+)"', queue)
    assert item is not None
    with rt.sessions() as s:
        ids = list(
            s.scalars(
                select(Delivery.id).where(
                    Delivery.item_id == int(item.group(1)),
                    Delivery.state == "awaiting_approval",
                )
            )
        )
    data = {"action": "approve", "ids": ids, "note": "đúng nội dung", "csrf_token": _token(queue)}
    if len(ids) > 1:
        ask = client.post("/act", data=data).get_data(as_text=True)
        assert f"sẽ áp dụng cho {len(ids)} lượt đăng" in ask
        with rt.sessions() as s:
            assert all(s.get(Delivery, i).state == "awaiting_approval" for i in ids)  # type: ignore[union-attr]
        data["confirmed"] = "1"
    assert client.post("/act", data=data).status_code == 303
    with rt.sessions() as s:
        assert {s.get(Delivery, i).state for i in ids} == {"planned"}  # type: ignore[union-attr]
        users = set(s.scalars(select(Action.user).where(Action.delivery_id.in_(ids))))
    assert users == {"mai"}


def test_a_new_password_or_disabling_ends_the_session(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    client = _signed_in(rt, "lan")
    assert client.get("/").status_code == 200
    with rt.sessions.begin() as s:
        accounts.passwd(s, "lan", "một mật khẩu mới hẳn", NOW)
    assert client.get("/").status_code == 302
    with rt.sessions.begin() as s:
        accounts.passwd(s, "lan", PASSWORD, NOW)
    client = _signed_in(rt, "lan")
    with rt.sessions.begin() as s:
        accounts.disable(s, "lan", NOW)
        accounts.add(s, "admin", "admin", PASSWORD, NOW)
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_argon2_hashes_only(rt: Runtime) -> None:
    _add(rt, "lan", "viewer")
    with rt.sessions() as s:
        row = s.get(Account, "lan")
        assert row is not None
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        assert accounts.verify(s, "lan", PASSWORD) is not None
        assert accounts.verify(s, "lan", PASSWORD + "x") is None
        assert accounts.verify(s, "khong-co", PASSWORD) is None
    with rt.sessions.begin() as s, pytest.raises(accounts.AccountError, match="10 to 1024"):
        accounts.add(s, "ngan", "viewer", "ngắn", NOW)


def test_loa_users_reads_the_password_from_stdin_never_argv(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", str(rt.engine.url))
    config = ["--config", str(rt.config.root)]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main([*config, "users", "add", "hoa", "--role", "approver"]) == 0
    assert main([*config, "users", "list"]) == 0
    assert "hoa\tapprover\tenabled" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([*config, "users", "passwd", "hoa"]) == 2
    assert "no password on standard input" in capsys.readouterr().err
    assert main([*config, "users", "add", "Bad Name", "--role", "viewer"]) == 2
    assert main([*config, "users", "disable", "hoa"]) == 0
    main([*config, "users", "list"])
    assert "hoa\tapprover\tdisabled" in capsys.readouterr().out
    with rt.sessions() as s:
        trail = [(a.action, a.detail) for a in reversed(accounts.changes(s))]
    assert trail == [("account-add", "hoa (approver)"), ("account-disable", "hoa")]
    assert PASSWORD not in str(trail)


def test_an_approver_rejects_some_rows_of_an_item_and_leaves_the_rest(rt: Runtime) -> None:
    _add(rt, "mai", "approver")
    client = _signed_in(rt, "mai")
    queue = client.get("/approvals").get_data(as_text=True)
    boxes = [int(i) for i in re.findall(r'type="checkbox" name="ids" value="(\d+)" checked', queue)]
    assert boxes, "each row of an item has a checkbox, checked"
    chosen = boxes[0]
    data = {"action": "reject", "ids": [chosen], "note": "sai số liệu", "csrf_token": _token(queue)}
    assert client.post("/act", data=data).status_code == 303
    with rt.sessions() as s:
        states = {i: s.get(Delivery, i).state for i in boxes}  # type: ignore[union-attr]
        act = s.scalars(select(Action).where(Action.delivery_id == chosen)).one()
    assert states[chosen] == "cancelled" and all(
        st == "awaiting_approval" for i, st in states.items() if i != chosen
    )
    assert (act.user, act.action, act.detail) == ("mai", "reject", "sai số liệu")


def test_an_operator_settles_an_uncertain_row_but_may_not_approve(rt: Runtime) -> None:
    _add(rt, "hung", "operator")
    client = _signed_in(rt, "hung")
    unsure = first_delivery(rt, "uncertain")
    page = client.get(f"/deliveries/{unsure.id}").get_data(as_text=True)
    assert 'data-action="resolve-published"' in page
    token = _token(page)
    data = {"action": "resolve-published", "ids": unsure.id, "csrf_token": token}
    assert client.post("/act", data=data).status_code == 303
    with rt.sessions() as s:
        assert s.get(Delivery, unsure.id).state == "published"  # type: ignore[union-attr]
    awaiting = first_delivery(rt, "awaiting_approval")
    assert "data-action" not in client.get("/approvals").get_data(as_text=True)
    data = {"action": "approve", "ids": awaiting.id, "csrf_token": token}
    assert client.post("/act", data=data).status_code == 403


def test_only_an_admin_manages_accounts_and_each_change_is_recorded(rt: Runtime) -> None:
    _add(rt, "an", "admin")
    _add(rt, "lan", "viewer")
    viewer = _signed_in(rt, "lan")
    assert viewer.get("/accounts").status_code == 403
    assert 'href="/accounts"' not in viewer.get("/").get_data(as_text=True)
    admin = _signed_in(rt, "an")
    page = admin.get("/accounts").get_data(as_text=True)
    assert "lan" in page and 'href="/accounts"' in page
    token = _token(page)
    change = {"name": "lan", "change": "role", "role": "operator", "csrf_token": token}
    assert admin.post("/accounts", data=change).status_code == 303
    self_disable = {"name": "an", "change": "disable", "csrf_token": token}
    assert admin.post("/accounts", data=self_disable).status_code == 400
    assert admin.post("/accounts", data={**self_disable, "name": "lan"}).status_code == 303
    with rt.sessions() as s:
        row = s.get(Account, "lan")
        trail = [(a.user, a.action, a.detail) for a in accounts.changes(s)]
    assert row is not None and row.role == "operator" and row.disabled
    assert trail == [("an", "account-disable", "lan"), ("an", "account-role", "lan (operator)")]
    assert viewer.get("/").status_code == 302  # the disabled account's session ended


def test_behind_a_trusted_proxy_the_client_address_and_https_are_believed(
    rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import http.client  # noqa: PLC0415

    from tests.browsing import served  # noqa: PLC0415

    _add(rt, "lan", "viewer")
    monkeypatch.setenv("LOA_TRUSTED_PROXY", "127.0.0.1")
    with served(rt) as base:
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/login", headers={"X-Forwarded-Proto": "https"})
        got = conn.getresponse()
        html, cookie = got.read().decode(), got.getheader("Set-Cookie") or ""
        assert "Secure" in cookie and "HttpOnly" in cookie
        token = _token(html)
        body = f"name=lan&password=sai-mat-khau-roi&csrf_token={token}"
        for n in range(6):
            conn.request(
                "POST",
                "/login",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie.split(";")[0],
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": f"203.0.113.{n}",  # a new client each time
                    "Referer": f"https://127.0.0.1:{port}/login",
                    "Host": f"127.0.0.1:{port}",
                },
            )
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 401, n  # never 429: each try came from another address
        conn.close()
