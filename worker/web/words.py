"""The console's own words (vi, en), and a delivery's error told in plain words.

An error is stored as the service said it (English, codes); the console shows the cause in the
page's language and keeps the raw text behind a disclosure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.reports.words import page_words

_CONSOLE: dict[str, dict[str, str]] = {
    "vi": {
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "account": "Tài khoản",
        "password": "Mật khẩu",
        "bad_login": "Tên tài khoản hoặc mật khẩu không đúng.",
        "too_many": "Sai quá nhiều lần. Hãy thử lại sau 15 phút.",
        "stale_form": "Biểu mẫu không hợp lệ hoặc phiên đã hết hạn: chưa thay đổi gì. Hãy tải"
        " lại trang rồi làm lại.",
        "read_only": "Chỉ xem (chưa có tài khoản nào)",
        "deliveries_nav": "Lượt đăng",
        "approvals": "Chờ duyệt",
        "calendar": "Lịch đăng",
        "delivery": "Lượt đăng",
        "target": "Nơi đăng",
        "unit": "Đơn vị",
        "channel": "Kênh",
        "campaign": "Chiến dịch",
        "next_attempt": "Lần thử tới",
        "published_at": "Đã đăng lúc",
        "attempt_list": "Các lần thử",
        "action_list": "Thao tác của người vận hành",
        "no_attempts": "Chưa thử lần nào.",
        "no_actions": "Chưa có thao tác nào.",
        "who": "Người làm",
        "when": "Lúc",
        "what": "Việc",
        "note": "Ghi chú",
        "preview": "Nội dung sẽ đăng",
        "no_preview": "Không dựng được bản xem trước",
        "raw_error": "Lỗi gốc",
        "cause": "Nguyên nhân",
        "outcome": "Kết quả",
        "retry": "Thử lại",
        "cancel": "Hủy",
        "approve": "Duyệt",
        "reject": "Từ chối",
        "resolve_published": "Xác nhận đã đăng",
        "resolve_failed": "Xác nhận lỗi",
        "confirm": "Xác nhận",
        "confirm_count": "Thao tác «{action}» sẽ áp dụng cho {n} lượt đăng.",
        "go_back": "Quay lại",
        "done_count": "{action}: đã đổi {n} lượt đăng.",
        "awaits_approval": "chờ duyệt",
        "waiting_for_approval": "đang chờ duyệt",
        "groups": "nhóm",
        "rows": "lượt",
        "search": "Tìm",
        "text": "Tìm chữ",
        "from": "Từ ngày",
        "to": "Đến ngày",
        "page": "Trang",
        "prev": "Trước",
        "next": "Sau",
        "no_rows": "Không có lượt đăng nào khớp.",
        "no_approvals": "Không có tin, bài nào chờ duyệt.",
        "goes_to": "Gửi đến",
        "all_of_them": "tất cả",
        "month": "Tháng",
        "week": "Tuần",
        "quiet_hold": "giữ vì giờ yên lặng",
        "encoding": "Mã hóa",
        "segments": "Số tin",
        "recipients": "Người nhận",
        "cost": "Chi phí",
        "with_marks": "có dấu",
        "without_marks": "không dấu",
        "group_of": "{n} lượt giống nhau",
        "weekdays": "T2 T3 T4 T5 T6 T7 CN",
        "accounts": "Tài khoản",
        "item_count": "tin, bài chờ duyệt",
        "accounts_hint": "Đặt mật khẩu bằng lệnh `loa users add|passwd` trên máy chủ.",
        "role_col": "Vai trò",
        "enabled": "Đang dùng",
        "disabled": "Đã khóa",
        "disable": "Khóa",
        "save": "Lưu",
        "account_changed": "Đã cập nhật tài khoản {name}.",
        "account_changes": "Thay đổi tài khoản gần đây",
    },
    "en": {
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "account": "Account",
        "password": "Password",
        "bad_login": "Wrong account name or password.",
        "too_many": "Too many failed tries. Try again in 15 minutes.",
        "stale_form": "The form was not valid or the session expired: nothing changed. Reload"
        " the page and try again.",
        "read_only": "Read-only (no account configured)",
        "deliveries_nav": "Deliveries",
        "approvals": "Approvals",
        "calendar": "Calendar",
        "delivery": "Delivery",
        "target": "Target",
        "unit": "Unit",
        "channel": "Channel",
        "campaign": "Campaign",
        "next_attempt": "Next attempt",
        "published_at": "Published at",
        "attempt_list": "Attempts",
        "action_list": "Operator actions",
        "no_attempts": "No attempt yet.",
        "no_actions": "No action yet.",
        "who": "Who",
        "when": "When",
        "what": "What",
        "note": "Note",
        "preview": "What it publishes",
        "no_preview": "No preview could be made",
        "raw_error": "Raw error",
        "cause": "Cause",
        "outcome": "Outcome",
        "retry": "Retry",
        "cancel": "Cancel",
        "approve": "Approve",
        "reject": "Reject",
        "resolve_published": "Mark published",
        "resolve_failed": "Mark failed",
        "confirm": "Confirm",
        "confirm_count": "“{action}” will apply to {n} deliveries.",
        "go_back": "Back",
        "done_count": "{action}: {n} deliveries changed.",
        "awaits_approval": "awaiting approval",
        "waiting_for_approval": "waiting for approval",
        "groups": "groups",
        "rows": "rows",
        "search": "Search",
        "text": "Text",
        "from": "From",
        "to": "To",
        "page": "Page",
        "prev": "Previous",
        "next": "Next",
        "no_rows": "No delivery matches.",
        "no_approvals": "Nothing is awaiting approval.",
        "goes_to": "Goes to",
        "all_of_them": "all",
        "month": "Month",
        "week": "Week",
        "quiet_hold": "held for quiet hours",
        "encoding": "Encoding",
        "segments": "Segments",
        "recipients": "Recipients",
        "cost": "Cost",
        "with_marks": "with diacritics",
        "without_marks": "without",
        "group_of": "{n} identical",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "accounts": "Accounts",
        "item_count": "items awaiting approval",
        "accounts_hint": "Passwords are set with `loa users add|passwd` on the server.",
        "role_col": "Role",
        "enabled": "Enabled",
        "disabled": "Disabled",
        "disable": "Disable",
        "save": "Save",
        "account_changed": "Account {name} updated.",
        "account_changes": "Recent account changes",
    },
}


def console_words(lang: str) -> dict[str, str]:
    return {**page_words(lang), **_CONSOLE.get(lang, _CONSOLE["vi"])}


@dataclass(frozen=True)
class Cause:
    """A failure's cause: a key to group by, and the sentence for each language."""

    key: str
    vi: str
    en: str

    def said(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


_GAVE_UP = re.compile(r"gave up after (\d+) attempts")
_RULES: list[tuple[str, re.Pattern[str], str, str]] = [
    (
        "auth",
        re.compile(r"\b40[13]\b|unauthori[sz]ed|forbidden|mật khẩu|invalid token|OAuthException"),
        "Kênh từ chối quyền đăng: tài khoản, mật khẩu ứng dụng hoặc mã truy cập không đúng"
        " hay đã hết hạn",
        "The channel refused access: wrong or expired account, app password or token",
    ),
    (
        "missing",
        re.compile(r"\b404\b|not found", re.I),
        "Không tìm thấy địa chỉ đăng (404): kiểm tra địa chỉ của nơi đăng",
        "The address to publish to was not found (404): check the target's endpoint",
    ),
    (
        "rate",
        re.compile(r"\b429\b|rate.?limit|too many requests", re.I),
        "Dịch vụ đang giới hạn số lượt gửi: sẽ gửi lại sau",
        "The service is limiting requests: it will be sent later",
    ),
    (
        "server",
        re.compile(r"\b5\d\d\b|bad gateway|service unavailable|internal server error", re.I),
        "Máy chủ của kênh đang lỗi tạm thời",
        "The channel's server had a passing fault",
    ),
    (
        "timeout",
        re.compile(r"time(?:d)? ?out|hết thời gian", re.I),
        "Máy chủ của kênh không trả lời kịp (hết thời gian chờ)",
        "The channel's server did not answer in time",
    ),
    (
        "network",
        re.compile(r"connection|refused|resolve|unreachable|kết nối", re.I),
        "Không kết nối được tới máy chủ của kênh",
        "Could not connect to the channel's server",
    ),
    (
        "secret",
        re.compile(r"is not set|\$[A-Z_]+"),
        "Thiếu biến môi trường chứa mật khẩu hoặc khóa của kênh",
        "The environment variable holding the channel's secret is not set",
    ),
    (
        "uncertain",
        re.compile(r"found sending|worker died|operator must decide|tiến trình dừng"),
        "Không rõ đã đăng hay chưa: tiến trình dừng giữa chừng; cần kiểm tra trên kênh rồi"
        " xác nhận",
        "Unknown whether it was published: a worker stopped mid-way; check the channel and"
        " settle it",
    ),
    (
        "held",
        re.compile(r"held by the service"),
        "Dịch vụ giữ lại tin (chờ kiểm duyệt): cần người vận hành quyết định",
        "The service holds the message for review: an operator must decide",
    ),
]


def cause(last_error: str | None, reason: str | None) -> Cause:
    """What went wrong, in plain words; the raw text stays for the disclosure."""
    text = " ".join(t for t in (last_error, reason) if t)
    for key, pattern, vi, en in _RULES:
        if pattern.search(text):
            return _tried(Cause(key, vi, en), reason)
    if not text:
        return Cause("none", "Không có thông tin lỗi", "No error recorded")
    return _tried(
        Cause("other", "Lỗi khác (xem lỗi gốc bên dưới)", "Another error (see the raw error)"),
        reason,
    )


def _tried(found: Cause, reason: str | None) -> Cause:
    """'gave up after 6 attempts' said after the cause, not instead of it."""
    spent = _GAVE_UP.search(reason or "")
    if not spent:
        return found
    n = spent.group(1)
    return Cause(found.key, f"{found.vi} (đã thử {n} lần)", f"{found.en} (tried {n} times)")
