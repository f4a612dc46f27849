"""The command line's messages: id -> (Vietnamese, English), added to campaigns.i18n."""

from __future__ import annotations

from campaigns.i18n import register

MESSAGES: dict[str, tuple[str, str]] = {
    # loa check
    "check.ok": (
        "cấu hình hợp lệ: {units} đơn vị, {targets} kênh ({kinds}), {campaigns} chiến dịch,"
        " {items} bài và video",
        "config OK: {units} units, {targets} targets ({kinds}), {campaigns} campaigns,"
        " {items} articles and videos",
    ),
    "check.problems": ("{count} lỗi cần sửa:", "{count} problem(s) to fix:"),
    "check.note": ("lưu ý: {text}", "note: {text}"),
    "check.transport": (
        "thiết lập kênh chưa dùng được: {detail}",
        "the target's settings cannot work: {detail}",
    ),
    "check.numbers": (
        "kênh {target}: {count} số điện thoại sẽ nhận tin",
        "target {target}: {count} number(s) to send to",
    ),
    "check.bad_number": (
        "{file}: dòng {row}: {value} {why}: sửa hoặc xóa dòng này (số này sẽ không nhận tin)",
        "{file}: row {row}: {value} {why}: fix or remove the row (it gets no SMS)",
    ),
    "check.duplicates": ("{count} số trùng được bỏ qua", "{count} duplicate(s) left out"),
    "check.opted_out": ("{count} số đã từ chối nhận tin", "{count} opted out"),
    "sms.reason.empty": ("để trống", "empty"),
    "sms.reason.foreign": ("không phải số Việt Nam", "not a Vietnamese number"),
    "sms.reason.not_phone": ("không phải số điện thoại", "not a phone number"),
    "sms.reason.length": ("sai độ dài", "wrong length"),
    "sms.reason.prefix": ("không phải đầu số di động", "not a mobile prefix"),
    # loa check --online
    "online.ok": ("ĐƯỢC  {target} ({transport}): {text}", "OK    {target} ({transport}): {text}"),
    "online.fail": ("LỖI   {target} ({transport}): {text}", "FAIL  {target} ({transport}): {text}"),
    "online.summary": (
        "đã hỏi {count} kênh: {ok} được, {failing} lỗi",
        "{count} target(s) asked: {ok} OK, {failing} failing",
    ),
    "online.no_unit": (
        "--unit: không có đơn vị '{unit}'",
        "--unit: no unit '{unit}' in the config",
    ),
    "online.no_target": (
        "--target: không có kênh '{target}' (viết dạng đơn-vị/tên, như bien-hoa/website)",
        "--target: no target '{target}' (write unit/name, like bien-hoa/website)",
    ),
    # loa run --once
    "run.source_error": ("nguồn {source}: {error}", "source {source}: {error}"),
    "run.summary": (
        "đã lập kế hoạch {planned} lượt đăng mới, chuyển {sent} lượt cho bộ gửi",
        "planned {planned} new deliveries, sent {sent} to workers",
    ),
    "run.counts": ("lượt đăng: {counts}", "deliveries: {counts}"),
    "run.sources_failed": (
        "{count} nguồn không đọc được (ghi ở trên): phần đọc được đã đăng; sửa rồi chạy lại"
        " (mã thoát 3)",
        "{count} source(s) could not be read (named above): what could be read was published;"
        " fix them and run again (exit code 3)",
    ),
}

register(MESSAGES)
