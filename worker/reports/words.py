"""The words reports and the status page show, in Vietnamese (the default) and English."""

from __future__ import annotations

import datetime as dt

from campaigns.model import TZ

LANGS = ("vi", "en")

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "unit": "Đơn vị",
        "website": "Trang TTĐT",
        "screen": "Màn hình",
        "sms": "SMS",
        "facebook": "Facebook",
        "zalo": "Zalo",
        "loudspeaker": "Loa truyền thanh",
        "bulletins": "Số bản tin",
        "items_aired": "Số tin phát",
        "minutes_aired": "Số phút phát",
        "sheet_loudspeaker": "Truyền thanh",
        "article": "Tin, bài",
        "video": "Video clip",
        "published": "Đã đăng",
        "failed": "Lỗi",
        "uncertain": "Chưa rõ",
        "pending": "Đang chờ",
        "total": "Tổng cộng",
        "channel": "Kênh",
        "topic": "Chủ đề",
        "no_topic": "(không có chủ đề)",
        "topic_total": "Tổng số lượt đăng (mỗi lượt tính một lần)",
        "messages": "Số tin nhắn",
        "recipients": "Số người nhận",
        "segments": "Số phân đoạn",
        "sent": "Số SMS gửi đi",
        "sms_delivered": "Báo đã đến máy",
        "sms_failed": "Báo không đến được",
        "measure": "Chỉ tiêu",
        "quota": "Kế hoạch",
        "achieved": "Đã đạt",
        "gap": "Còn thiếu",
        "status": "Đánh giá",
        "behind": "Chưa đạt",
        "on_track": "Đạt",
        "no_quotas": "Không có chỉ tiêu cho kỳ này.",
        "title": "Báo cáo kết quả thông tin, tuyên truyền",
        "period": "Kỳ báo cáo",
        "campaign": "Chiến dịch",
        "all_campaigns": "Tất cả chiến dịch",
        "sheet_summary": "Tổng hợp",
        "sheet_topics": "Theo chủ đề",
        "sheet_sms": "SMS",
        "sheet_quotas": "Chỉ tiêu",
        "stt": "STT",
        "form": "Hình thức",
        "count": "Số lượng",
        "awaiting_note": (
            "{n} lượt đăng của chiến dịch “{title}” đang chờ duyệt;"
            " phát hành bằng lệnh: loa approve --campaign {id}"
        ),
    },
    "en": {
        "unit": "Unit",
        "website": "Website",
        "screen": "Screens",
        "sms": "SMS",
        "facebook": "Facebook",
        "zalo": "Zalo",
        "loudspeaker": "Loudspeakers",
        "bulletins": "Bulletins",
        "items_aired": "Items aired",
        "minutes_aired": "Minutes aired",
        "sheet_loudspeaker": "Loudspeakers",
        "article": "Articles",
        "video": "Video clips",
        "published": "Published",
        "failed": "Failed",
        "uncertain": "Uncertain",
        "pending": "Pending",
        "total": "Total",
        "channel": "Channel",
        "topic": "Topic",
        "no_topic": "(no topic)",
        "topic_total": "Publications (each counted once)",
        "messages": "Messages",
        "recipients": "Recipients",
        "segments": "Segments",
        "sent": "SMS sent",
        "sms_delivered": "Reported delivered",
        "sms_failed": "Reported failed",
        "measure": "Measure",
        "quota": "Target",
        "achieved": "Achieved",
        "gap": "Short by",
        "status": "Status",
        "behind": "Behind",
        "on_track": "On track",
        "no_quotas": "No targets for this period.",
        "title": "Information and propaganda results",
        "period": "Period",
        "campaign": "Campaign",
        "all_campaigns": "All campaigns",
        "sheet_summary": "Summary",
        "sheet_topics": "By topic",
        "sheet_sms": "SMS",
        "sheet_quotas": "Targets",
        "stt": "No.",
        "form": "Form",
        "count": "Count",
        "awaiting_note": (
            "{n} deliveries of campaign “{title}” await approval;"
            " release them with: loa approve --campaign {id}"
        ),
    },
}

STATE_NAMES: dict[str, dict[str, str]] = {
    "vi": {
        "planned": "Đã lên kế hoạch",
        "awaiting_approval": "Chờ duyệt",
        "queued": "Trong hàng đợi",
        "sending": "Đang gửi",
        "retrying": "Chờ thử lại",
        "published": "Đã đăng",
        "failed": "Lỗi",
        "uncertain": "Chưa rõ",
        "skipped": "Bỏ qua",
        "cancelled": "Đã hủy",
    },
    "en": {
        "planned": "Planned",
        "awaiting_approval": "Awaiting approval",
        "queued": "Queued",
        "sending": "Sending",
        "retrying": "Retrying",
        "published": "Published",
        "failed": "Failed",
        "uncertain": "Uncertain",
        "skipped": "Skipped",
        "cancelled": "Cancelled",
    },
}


def words(lang: str) -> dict[str, str]:
    """The label table for a language; unknown languages fall back to Vietnamese."""
    return _WORDS.get(lang, _WORDS["vi"])


def state_name(state: str, lang: str) -> str:
    return STATE_NAMES.get(lang, STATE_NAMES["vi"]).get(state, state)


def local_time(when: dt.datetime | None) -> str:
    """A time as staff read it: dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    return when.astimezone(TZ).strftime("%d/%m/%Y %H:%M") if when else ""


_PAGE: dict[str, dict[str, str]] = {
    "vi": {
        "app": "Loa · Trạng thái xuất bản",
        "overview": "Tổng quan",
        "failures": "Lỗi và chưa rõ",
        "campaigns": "Chiến dịch",
        "deliveries": "Lượt đăng",
        "processes": "Bộ lập lịch và tiến trình",
        "role": "Vai trò",
        "host": "Máy",
        "started": "Khởi động",
        "seen": "Tín hiệu cuối",
        "alive": "Hoạt động",
        "stale": "Mất tín hiệu",
        "tick_failed": "Lỗi lượt chạy",
        "late": "Trễ hạn (chưa gửi)",
        "no_processes": "Chưa có tiến trình nào báo hoạt động.",
        "sources_error": "Nguồn nội dung đang lỗi",
        "no_source_errors": "Không có nguồn nào lỗi.",
        "source": "Nguồn",
        "kind": "Loại",
        "failures_n": "Số lần lỗi",
        "last_polled": "Lần đọc cuối",
        "error": "Lỗi",
        "recent_failures": "Lỗi gần đây",
        "no_failures": "Không có lượt đăng nào lỗi.",
        "published_notes": "Đã đăng, có lưu ý",
        "reason": "Lý do",
        "last_error": "Lỗi cuối cùng",
        "due": "Đến hạn",
        "attempts": "Lần thử",
        "item": "Tin, bài",
        "progress": "Tiến độ",
        "see_all": "Xem tất cả",
        "updated": "Cập nhật lúc",
        "auto_refresh": "tự làm mới sau 30 giây",
        "filter": "Lọc",
        "all": "Tất cả",
        "by_unit": "Tiến độ theo đơn vị",
        "span": "Thời gian",
        "state": "Trạng thái",
        "other_lang": "English",
        "report": "Báo cáo",
        "chart_months": "Số lượt đăng theo kênh, theo tháng",
        "chart_quotas": "Kết quả so với chỉ tiêu",
        "ago": "trước",
        "s": "giây",
        "m": "phút",
        "h": "giờ",
        "d": "ngày",
    },
    "en": {
        "app": "Loa · Publishing status",
        "overview": "Overview",
        "failures": "Failed and uncertain",
        "campaigns": "Campaigns",
        "deliveries": "Deliveries",
        "processes": "Schedulers and workers",
        "role": "Role",
        "host": "Host",
        "started": "Started",
        "seen": "Last seen",
        "alive": "Alive",
        "stale": "Silent",
        "tick_failed": "Tick failed",
        "late": "Late (not sent yet)",
        "no_processes": "No process has reported in yet.",
        "sources_error": "Content sources in error",
        "no_source_errors": "No source is in error.",
        "source": "Source",
        "kind": "Kind",
        "failures_n": "Failures",
        "last_polled": "Last polled",
        "error": "Error",
        "recent_failures": "Recent failures",
        "no_failures": "No delivery has failed.",
        "published_notes": "Published, with notes",
        "reason": "Reason",
        "last_error": "Last error",
        "due": "Due",
        "attempts": "Attempts",
        "item": "Item",
        "progress": "Progress",
        "see_all": "See all",
        "updated": "Updated at",
        "auto_refresh": "refreshes every 30 seconds",
        "filter": "Filter",
        "all": "All",
        "by_unit": "Progress by unit",
        "span": "Runs",
        "state": "State",
        "other_lang": "Tiếng Việt",
        "report": "Report",
        "chart_months": "Publications per channel, per month",
        "chart_quotas": "Achieved against targets",
        "ago": "ago",
        "s": "s",
        "m": "min",
        "h": "h",
        "d": "days",
    },
}


def page_words(lang: str) -> dict[str, str]:
    """Report words plus the status page's own, for one language."""
    return {**words(lang), **_PAGE.get(lang, _PAGE["vi"])}


def ago(delta: dt.timedelta, lang: str) -> str:
    """A short age for a heartbeat: '12 giây trước', '3 min ago'."""
    w = _PAGE.get(lang, _PAGE["vi"])
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size} {w[unit]} {w['ago']}"
    return f"{seconds} {w['s']} {w['ago']}"
