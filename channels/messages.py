"""The channels' messages: id -> (Vietnamese, English), in plain words with the fix: the
verdicts of `loa check --online` and what is wrong with a recipient list.

A verdict names the environment variable that holds a secret, never the secret.
"""

from __future__ import annotations

from campaigns.i18n import register

MESSAGES: dict[str, tuple[str, str]] = {
    "probe.unreachable": (
        "không kết nối được ({error}): kiểm tra địa chỉ 'endpoint', mạng và tường lửa",
        "could not connect ({error}): check the 'endpoint' address, the network and firewall",
    ),
    "probe.not_online": (
        "bỏ qua: cách gửi '{name}' chưa có phép thử trực tuyến",
        "skipped: the '{name}' transport has no online check",
    ),
    "probe.not_found": (
        "địa chỉ không tồn tại (HTTP {status}): kiểm tra 'endpoint'",
        "the address does not exist (HTTP {status}): check 'endpoint'",
    ),
    "probe.http": (
        "dịch vụ trả lời bất thường (HTTP {status} {code}): thử lại sau, hoặc báo quản trị dịch vụ",
        "the service answered unexpectedly (HTTP {status} {code}): try again later, or tell its"
        " administrator",
    ),
    "probe.wp_ok": ("đăng nhập được với người dùng {user}", "signed in as {user}"),
    "probe.wp_password": (
        "sai mật khẩu ứng dụng (Application Password): kiểm tra mật khẩu ứng dụng của người dùng"
        " {user} (Người dùng → Hồ sơ → Mật khẩu ứng dụng) và giá trị trong {var}",
        "wrong application password: check the application password of user {user} (Users →"
        " Profile → Application Passwords) and the value in {var}",
    ),
    "probe.wp_user": (
        "trang web không có người dùng {user}: kiểm tra tên đăng nhập trong {var}",
        "the site has no user {user}: check the user name in {var}",
    ),
    "probe.wp_stripped": (
        "máy chủ web bỏ mất tiêu đề Authorization nên WordPress coi như chưa đăng nhập: nhờ quản"
        " trị bật chuyển tiếp tiêu đề này (Apache: CGIPassAuth On)",
        "the web server drops the Authorization header, so WordPress sees no login: ask its"
        " administrator to pass the header on (Apache: CGIPassAuth On)",
    ),
    "probe.fb_ok": ("mã truy cập dùng được cho trang {name}", "the token works for page {name}"),
    "probe.fb_other_page": (
        "mã truy cập thuộc về {got}, không phải trang {page}: lấy mã truy cập của đúng trang",
        "the token belongs to {got}, not page {page}: get the access token of the right page",
    ),
    "probe.fb_token": (
        "mã truy cập trang (Page token) sai hoặc hết hạn: tạo mã mới cho trang và đặt vào {var}",
        "the Page access token is wrong or expired: make a new one for the page and put it in"
        " {var}",
    ),
    "probe.fb_permission": (
        "ứng dụng thiếu quyền đăng bài (lỗi {code}): cấp pages_manage_posts và quyền"
        " CREATE_CONTENT trên trang",
        "the app lacks the right to post (error {code}): grant pages_manage_posts and the"
        " CREATE_CONTENT task on the page",
    ),
    "probe.zalo_ok": ("kết nối được Zalo OA {name}", "connected to Zalo OA {name}"),
    "probe.zalo_token": (
        "Zalo từ chối mã truy cập kể cả sau khi làm mới: cấp quyền lại cho OA và đặt mã làm"
        " mới (refresh token) mới vào {var}",
        "Zalo refuses the access token even after a refresh: authorise the OA again and put the"
        " new refresh token in {var}",
    ),
    "probe.zalo_error": (
        "Zalo trả lỗi {code} ({text}): kiểm tra OA đã được xác thực và gói dịch vụ cho phép API",
        "Zalo answered error {code} ({text}): check the OA is verified and its package allows"
        " the API",
    ),
    "probe.kannel_ok": (
        "Kannel chấp nhận tên và mật khẩu gửi tin",
        "Kannel accepts the sendsms user name and password",
    ),
    "probe.kannel_auth": (
        "Kannel từ chối đăng nhập: kiểm tra tên ({user}) và mật khẩu ({var}) của sendsms-user",
        "Kannel refuses the login: check the sendsms-user name ({user}) and password ({var})",
    ),
    "probe.kannel_refused": (
        "Kannel từ chối ({text}): kiểm tra máy này có trong danh sách IP được phép",
        "Kannel refuses ({text}): check this machine's IP is allowed to send",
    ),
    "probe.esms_ok": ("tài khoản eSMS còn {balance} đ", "the eSMS account holds {balance} VND"),
    "probe.esms_auth": (
        "eSMS từ chối khóa: kiểm tra ApiKey ({key}) và SecretKey ({secret})",
        "eSMS refuses the keys: check the ApiKey ({key}) and SecretKey ({secret})",
    ),
    "probe.anthias_ok": (
        "màn hình trả lời, đang có {count} nội dung",
        "the player answers: {count} assets",
    ),
    "probe.anthias_auth": (
        "màn hình yêu cầu đăng nhập: kiểm tra tên và mật khẩu trong credentials",
        "the player asks for a login: check the user name and password in credentials",
    ),
    "probe.webhook_ok": ("địa chỉ trả lời (HTTP {status})", "the address answers (HTTP {status})"),
    "probe.webhook_auth": (
        "cổng thông tin từ chối mã (token): kiểm tra giá trị trong {var}",
        "the portal refuses the token: check the value in {var}",
    ),
    "probe.folder_ok": ("ghi được vào {folder}", "{folder} is writable"),
    "probe.folder": (
        "không ghi được vào {folder} ({error}): tạo thư mục hoặc cấp quyền ghi cho tài khoản"
        " chạy loa",
        "cannot write to {folder} ({error}): create it or let the account running loa write there",
    ),
    # recipient and opt-out lists (channels/recipients.py)
    "list.recipient": ("danh sách người nhận", "recipient"),
    "list.optout": ("danh sách từ chối nhận tin", "opt-out"),
    "list.missing": ("tệp {what} {path} không tồn tại", "{what} file {path} does not exist"),
    "list.not_utf8": (
        "tệp {what} {path} không lưu ở dạng UTF-8 (ký tự lạ ở dòng {line}): lưu lại với bảng"
        " mã UTF-8 (Excel: CSV UTF-8)",
        "{what} file {path} is not saved as UTF-8 (a stray byte on line {line}): save it again"
        " as UTF-8 (Excel: CSV UTF-8)",
    ),
    "list.unreadable": (
        "không đọc được tệp {what} {path}: {detail}",
        "{what} file {path} cannot be read: {detail}",
    ),
    "list.no_phone": (
        "tệp {what} {path} không có cột 'phone' ở dòng đầu: thêm dòng tiêu đề có cột phone",
        "{what} file {path} has no 'phone' column in its first line: add a header line with a"
        " phone column",
    ),
    "list.not_csv": (
        "tệp {what} {path}: dòng {line} không đúng dạng CSV (kiểm tra dấu ngoặc kép)",
        "{what} file {path}: line {line} is not CSV (check its quotes)",
    ),
}

register(MESSAGES)
