"""What `loa new` asks and says, in Vietnamese (the default) and English: one table.

LOA_LANG=en (or `--lang en` where the command line has it) picks English.
"""

from __future__ import annotations

import os

PROMPTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "title": ("Tên chiến dịch", "Campaign title"),
    "id": ("Mã chiến dịch (chữ thường không dấu, số, '-')", "Campaign id (a-z, 0-9, '-')"),
    "start": ("Ngày bắt đầu (YYYY-MM-DD hoặc DD/MM/YYYY)", "First day (YYYY-MM-DD or DD/MM/YYYY)"),
    "end": ("Ngày kết thúc (YYYY-MM-DD hoặc DD/MM/YYYY)", "Last day (YYYY-MM-DD or DD/MM/YYYY)"),
    "units": (
        "Đơn vị thực hiện: all, một loại (department, press, district, commune) hoặc các mã,"
        " cách nhau bởi dấu phẩy",
        "Units: all, a kind (department, press, district, commune) or codes, comma separated",
    ),
    "channels": ("Kênh đăng, cách nhau bởi dấu phẩy", "Channels, comma separated"),
    "topics": ("Chủ đề (mã hoặc tên), cách nhau bởi dấu phẩy", "Topics (slugs or names)"),
    "quota": (
        "Chỉ tiêu tin, bài trên trang TTĐT của mỗi đơn vị mỗi quý (0: không giao)",
        "Website posts each unit owes a quarter (0: none)",
    ),
    "campaign": ("Bài viết cho chiến dịch nào", "Which campaign is it for"),
    "article_title": ("Tiêu đề bài viết", "Article title"),
    "summary": ("Tóm tắt 1-2 câu (có thể bỏ trống)", "Summary in 1-2 sentences (may be empty)"),
    "published": (
        "Ngày đăng (YYYY-MM-DD hoặc DD/MM/YYYY)",
        "Publication date (YYYY-MM-DD or DD/MM/YYYY)",
    ),
    "again": ("Chưa dùng được: {why}. Nhập lại.", "Cannot use that: {why}. Try again."),
    "required": ("cần nhập giá trị", "a value is needed"),
    "wrote": ("Đã viết {path}", "Wrote {path}"),
    "checking": ("Kiểm tra cấu hình (loa check):", "Checking the config (loa check):"),
    "exists": (
        "{path} đã có; chọn tên khác hoặc xóa tệp cũ (loa không ghi đè)",
        "{path} exists; choose another name or remove it (loa never overwrites)",
    ),
    "no_campaign": (
        "không có chiến dịch nào lấy bài từ một thư mục (nguồn kind: files)",
        "no campaign takes articles from a folder (a source of kind files)",
    ),
    "body": (
        "Nội dung bài viết (Markdown): vài đoạn ngắn, danh sách, **chữ đậm**, [liên kết](https://...).",
        "The article's text (Markdown): short paragraphs, lists, **bold**, [links](https://...).",
    ),
}


def language(given: str | None = None) -> str:
    """'en' when asked for (option, then LOA_LANG), else 'vi'."""
    lang = (given or os.environ.get("LOA_LANG") or "vi").strip().lower()
    return "en" if lang.startswith("en") else "vi"


def say(key: str, lang: str, **values: object) -> str:
    vi, en = PROMPTS[key]
    return (en if lang == "en" else vi).format(**values)
