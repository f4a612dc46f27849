"""Topic names as a report reads them: the campaigns' topic slugs in Vietnamese and English."""

from __future__ import annotations

_NAMES: dict[str, tuple[str, str]] = {
    "cai-cach-hanh-chinh": ("Cải cách hành chính", "Administrative reform"),
    "chuong-trinh-tong-the-cchc": (
        "Chương trình tổng thể cải cách hành chính 2021-2030",
        "Master programme on administrative reform 2021-2030",
    ),
    "ke-hoach-cchc-2024": (
        "Kế hoạch cải cách hành chính năm 2024",
        "Administrative reform plan 2024",
    ),
    "van-hoa-cong-vu": ("Văn hóa công vụ", "Public service culture"),
    "dich-vu-cong": ("Dịch vụ công trực tuyến", "Online public services"),
    "thu-tuc-hanh-chinh": ("Thủ tục hành chính", "Administrative procedures"),
    "thanh-toan-truc-tuyen": ("Thanh toán trực tuyến", "Online payment"),
    "buu-chinh-cong-ich": ("Dịch vụ bưu chính công ích", "Public postal service"),
    "mot-cua": ("Bộ phận một cửa", "One-stop desks"),
    "chi-so-par-index": ("Chỉ số PAR Index", "PAR Index"),
    "chi-so-sipas": ("Chỉ số SIPAS", "SIPAS index"),
    "chi-so-papi": ("Chỉ số PAPI", "PAPI index"),
    "chi-so-pci": ("Chỉ số PCI", "PCI index"),
    "khao-sat-hai-long": ("Khảo sát sự hài lòng", "Satisfaction surveys"),
    "guong-dien-hinh": ("Gương điển hình", "Exemplary people"),
    "mo-hinh-hay": ("Mô hình hay, cách làm hiệu quả", "Good models and practices"),
    "to-cong-nghe-so-cong-dong": (
        "Tổ công nghệ số cộng đồng",
        "Community digital technology teams",
    ),
    "phan-anh-kien-nghi": ("Phản ánh, kiến nghị", "Feedback and petitions"),
    "duong-day-nong": ("Đường dây nóng", "Hotlines"),
    "tong-dai-1022": ("Tổng đài 1022", "The 1022 call centre"),
    "quy-hoach-su-dung-dat": ("Quy hoạch sử dụng đất", "Land-use planning"),
    "bang-gia-dat": ("Bảng giá đất", "Land prices"),
    "ho-tro-doanh-nghiep": ("Hỗ trợ doanh nghiệp", "Business support"),
    "khoi-nghiep": ("Khởi nghiệp", "Start-ups"),
}


def topic_name(slug: str, lang: str = "vi") -> str:
    """The topic's name; a slug not listed reads as its words ('thanh-toan' -> 'Thanh toan')."""
    names = _NAMES.get(slug)
    if names:
        return names[1] if lang == "en" else names[0]
    return slug.replace("-", " ").capitalize()
