"""The fields of an article's front matter and of a video list entry, as models.

campaigns/files.py reads content with these field names (ARTICLE_FIELDS, VIDEO_FIELDS come from
here), and the JSON Schema editors check the files against is generated from them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from campaigns.schema import ConfigDateTime

_TOPICS = (
    "Chủ đề: mã trong topics.yaml (ví dụ dich-vu-cong) hoặc tên tiếng Việt; một hoặc một"
    " danh sách. / Topics: slugs from topics.yaml or their names; one or a list."
)
_PUBLISHED = (
    "Ngày đăng: YYYY-MM-DD hoặc DD/MM/YYYY, có thể kèm giờ (2024-09-10T08:00:00+07:00,"
    " 10/09/2024 08:00); phải nằm trong thời gian của chiến dịch. / Publication date, inside"
    " the campaign's period."
)


class ArticleMeta(BaseModel):
    """Thông tin đầu bài viết (giữa hai dòng ---). / An article's front matter."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(
        min_length=1, description="Tiêu đề, nên dưới 150 ký tự. / Title, under 150 characters."
    )
    summary: str | None = Field(
        default=None,
        description="Tóm tắt 1-2 câu, dưới 300 ký tự (SMS, màn hình, Facebook, Zalo)."
        " / A 1-2 sentence summary under 300 characters.",
    )
    link: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="Đường dẫn bài gốc (https://...). / Link to the original article.",
    )
    image: str | None = Field(
        default=None,
        description="Ảnh minh họa: https://... hoặc tệp cạnh bài viết. / An https image or a"
        " file next to the article.",
    )
    video: str | None = Field(
        default=None, description="Đường dẫn video YouTube. / A YouTube video link."
    )
    published: ConfigDateTime | None = Field(default=None, description=_PUBLISHED)
    topics: str | list[str] | None = Field(default=None, description=_TOPICS)


class VideoEntry(BaseModel):
    """Một video trong danh sách. / One video of a video list."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        description="Đường dẫn YouTube (watch?v=, youtu.be/, shorts/). / The YouTube link."
    )
    title: str = Field(min_length=1, description="Tiêu đề video. / The video title.")
    summary: str | None = Field(default=None, description="Mô tả ngắn. / A short description.")
    published: ConfigDateTime | None = Field(default=None, description=_PUBLISHED)
    topics: str | list[str] | None = Field(default=None, description=_TOPICS)


ARTICLE_FIELDS: tuple[str, ...] = tuple(ArticleMeta.model_fields)
VIDEO_FIELDS: tuple[str, ...] = tuple(VideoEntry.model_fields)
