"""The shape of topics.yaml (campaigns/topics.py reads it into the topic table)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class TopicSpec(BaseModel):
    """Một chủ đề. / One topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1,
        max_length=200,
        description="Tên chủ đề tiếng Việt, có dấu, in trên báo cáo. / The Vietnamese label.",
    )
    en: str | None = Field(
        default=None, max_length=200, description="Tên tiếng Anh. / The English label."
    )
    aliases: list[str] = Field(
        default_factory=list,
        description="Tên khác cùng nghĩa (chuyên mục của trang tin, chữ viết tắt)."
        " / Other names for it (feed categories, abbreviations).",
    )


class TopicsFile(BaseModel):
    """topics.yaml: tên tiếng Việt của các chủ đề. / Labels of the topics."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: dict[str, TopicSpec | str] = Field(
        description="Mã chủ đề (chữ thường không dấu, '-') và tên, hoặc {name, en, aliases}."
        " / Topic slug: its label, or {name, en, aliases}.",
        json_schema_extra={"propertyNames": {"pattern": SLUG}},
    )
