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
    # operator commands: retry, cancel, approve, resolve, preview
    "act.no_selection": (
        "{command}: cho số lượt đăng hoặc ít nhất một bộ lọc",
        "{command}: give delivery ids or at least one filter",
    ),
    "act.dry_run": (
        "{command}: chạy thử, không thay đổi gì",
        "{command}: dry run, nothing changed",
    ),
    "act.unchanged": ("{command}: không thay đổi gì", "{command}: nothing changed"),
    "act.would_change": (
        "{command} sẽ thay đổi {count} lượt đăng",
        "{command} would change {count} delivery(ies)",
    ),
    "act.more": ("... và {count} lượt nữa", "... and {count} more"),
    "act.no_terminal": (
        "{command}: không có màn hình để hỏi xác nhận; thêm --yes để làm luôn",
        "{command}: no terminal to confirm on; add --yes to go ahead",
    ),
    "act.confirm": ("{command} các lượt đăng này? [c/K]", "{command} these deliveries? [y/N]"),
    "act.left_alone": ("#{id} để nguyên ({state})", "#{id} left alone ({state})"),
    "act.changed": (
        "{command}: đã thay đổi {count} lượt đăng",
        "{command}: {count} delivery(ies) changed",
    ),
    "act.not_previewed": ("#{id} không xem trước ({why})", "#{id} not previewed ({why})"),
    "act.previewed": ("đã xem trước {count} lượt đăng", "{count} deliveries previewed"),
    "act.preview_files": ("; các tệp nằm trong {folder}", "; files under {folder}"),
    "args.now": (
        "--now: '{value}' không phải ngày giờ ISO (như 2024-12-31T17:00+07:00)",
        "--now: '{value}' is not an ISO date-time (like 2024-12-31T17:00+07:00)",
    ),
    "args.no_campaign": (
        "--campaign: không có chiến dịch '{campaign}' trong cấu hình",
        "--campaign: no campaign '{campaign}' in the config",
    ),
    "report.period": (
        "cần --period (2024-Q1, 2024-H1, 2024-Q3, 2024)",
        "--period is required (2024-Q1, 2024-H1, 2024-Q3, 2024)",
    ),
    "report.each_unit_format": (
        "--each-unit ghi ra tệp: dùng cùng --format docx hoặc xlsx",
        "--each-unit writes files: use it with --format docx or xlsx",
    ),
    "report.each_unit_alone": (
        "--each-unit ghi mỗi đơn vị một tệp: không dùng kèm --unit hay --output",
        "--each-unit writes one file per unit: give neither --unit nor --output",
    ),
    "report.wrote": ("đã ghi {file}", "wrote {file}"),
    "plan.planned": (
        "đã lập kế hoạch {count} lượt đăng mới ({how})",
        "planned {count} new deliveries ({how})",
    ),
    "jobs.none": ("không có lượt đăng nào khớp", "no deliveries match"),
    "jobs.no_delivery": ("không có lượt đăng {id}", "no delivery {id}"),
    "status.late_head": ("Trễ", "Late"),
    "status.late": (
        "{count} lượt chưa gửi, đã quá giờ hẹn hơn một giờ (sớm nhất hẹn {oldest}): `loa jobs`"
        " liệt kê chúng; hãy duyệt, gửi lại hoặc hủy, nếu không chúng bị bỏ qua sau"
        " late_after_days",
        "{count} not sent, more than an hour past their due time (oldest due {oldest}):"
        " `loa jobs` lists them; approve, retry or cancel them, or they are skipped after"
        " late_after_days",
    ),
    "status.processes": ("Tiến trình", "Processes"),
    "status.no_process": (
        "chưa tiến trình nào báo về (`loa run` hay bộ gửi đã chạy chưa?)",
        "none has reported (is `loa run` or a worker running?)",
    ),
    "status.queues": ("Hàng đợi", "Queues"),
    "status.deliveries": ("Lượt đăng", "Deliveries"),
    "status.none": ("chưa có", "none"),
    "status.sources": ("Nguồn đang lỗi", "Sources in error"),
    "status.failures": ("Lỗi gần đây", "Recent failures"),
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
