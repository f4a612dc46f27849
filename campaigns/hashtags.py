"""A campaign's Facebook hashtags (`hashtags:`): added to the target's or used instead."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from campaigns.text import nfc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def hashtag(value: str) -> str:
    """One hashtag: '#' then one word (Vietnamese letters allowed), as Facebook links it."""
    if not re.fullmatch(r"#[^\s#]{1,99}", value):
        raise PydanticCustomError(
            "loa.hashtag",
            "a hashtag is '#' and one word without spaces (like #NgayPhapLuat), not '{value}'",
            {"value": value},
        )
    return value


Hashtag = Annotated[str, AfterValidator(hashtag)]


def hashtags_list_adds(value: Any) -> Any:
    """`hashtags: [...]` is short for `hashtags: {add: [...]}`."""
    return {"add": value} if isinstance(value, list) else value


class HashtagsSpec(_Strict):
    """Hashtag của chiến dịch trên Facebook. / What a campaign does to its Facebook hashtags."""

    add: list[Hashtag] = Field(
        default_factory=list,
        description=(
            "Hashtag thêm vào sau hashtag của đích Facebook (ví dụ #NgayPhapLuatVietNam). / "
            "Hashtags added after the Facebook target's own (like #NgayPhapLuatVietNam)."
        ),
    )
    replace: list[Hashtag] | None = Field(
        default=None,
        description=(
            "Hashtag dùng thay cho hashtag của đích Facebook (`[]`: không hashtag nào). / "
            "Hashtags used instead of the Facebook target's own (`[]`: none at all)."
        ),
    )

    @model_validator(mode="after")
    def _one_way(self) -> HashtagsSpec:
        if self.replace is not None and self.add:
            raise PydanticCustomError("loa.hashtags_both", "give 'add' or 'replace', not both")
        return self


def campaign_hashtags(spec: HashtagsSpec | None) -> dict[str, Any]:
    """A campaign's `hashtags` as the Campaign fields: added to the target's, or instead."""
    if spec is None:
        return {}
    if spec.replace is not None:
        return {"hashtags_replace": tuple(nfc(h) for h in spec.replace)}
    return {"hashtags_add": tuple(nfc(h) for h in spec.add)}
