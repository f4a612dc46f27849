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
        "measure": "Chỉ tiêu",
        "target": "Kế hoạch",
        "achieved": "Đã đạt",
        "gap": "Còn thiếu",
        "status": "Đánh giá",
        "behind": "Chưa đạt",
        "on_track": "Đạt",
        "no_targets": "Không có chỉ tiêu cho kỳ này.",
        "title": "Báo cáo kết quả thông tin, tuyên truyền",
        "period": "Kỳ báo cáo",
        "campaign": "Chiến dịch",
        "all_campaigns": "Tất cả chiến dịch",
        "sheet_summary": "Tổng hợp",
        "sheet_topics": "Theo chủ đề",
        "sheet_sms": "SMS",
        "sheet_targets": "Chỉ tiêu",
    },
    "en": {
        "unit": "Unit",
        "website": "Website",
        "screen": "Screens",
        "sms": "SMS",
        "facebook": "Facebook",
        "zalo": "Zalo",
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
        "measure": "Measure",
        "target": "Target",
        "achieved": "Achieved",
        "gap": "Short by",
        "status": "Status",
        "behind": "Behind",
        "on_track": "On track",
        "no_targets": "No targets for this period.",
        "title": "Information and propaganda results",
        "period": "Period",
        "campaign": "Campaign",
        "all_campaigns": "All campaigns",
        "sheet_summary": "Summary",
        "sheet_topics": "By topic",
        "sheet_sms": "SMS",
        "sheet_targets": "Targets",
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
