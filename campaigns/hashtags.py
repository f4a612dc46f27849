"""A campaign's Facebook hashtags (`hashtags:`): added to the target's or used instead."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def hashtag(value: str) -> str:
    """One hashtag: '#' then one word (Vietnamese letters allowed), as Facebook links it."""
    if not re.fullmatch(r"#[^\s#]{1,99}", value):
        raise ValueError(
            f"a hashtag is '#' and one word without spaces (like #NgayPhapLuat), not {value!r}"
        )
    return value


Hashtag = Annotated[str, AfterValidator(hashtag)]


def hashtags_list_adds(value: Any) -> Any:
    """`hashtags: [...]` is short for `hashtags: {add: [...]}`."""
    return {"add": value} if isinstance(value, list) else value


class HashtagsSpec(_Strict):
    """What a campaign does to the hashtags its Facebook posts carry."""

    add: list[Hashtag] = Field(
        default_factory=list,
        description=(
            "Hashtag thêm vào sau hashtag của đích Facebook (ví dụ #NgayPhapLuatVietNam). "
            "Hashtags added after the Facebook target's own (like #NgayPhapLuatVietNam)."
        ),
    )
    replace: list[Hashtag] | None = Field(
        default=None,
        description=(
            "Hashtag dùng thay cho hashtag của đích Facebook (`[]`: không hashtag nào). "
            "Hashtags used instead of the Facebook target's own (`[]`: none at all)."
        ),
    )

    @model_validator(mode="after")
    def _one_way(self) -> HashtagsSpec:
        if self.replace is not None and self.add:
            raise ValueError("give 'add' or 'replace', not both")
        return self
