"""The options of `loa new campaign`, `loa new article` and `loa schema` (parsing only: light)."""

from __future__ import annotations

import argparse

ASK = "asked on the terminal when not given"


def add_authoring(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`loa new ...` and `loa schema`: each question `loa new` asks has an option."""
    schema = sub.add_parser(
        "schema", help="write the JSON Schemas of the config files (for editors)"
    )
    schema.add_argument(
        "--out", metavar="DIR", help="folder to write them into (default: <config>/schemas)"
    )
    new = sub.add_parser("new", help="write a new campaign or article from a few questions")
    kinds = new.add_subparsers(dest="what", required=True)
    campaign = kinds.add_parser("campaign", help="a new campaign file under campaigns/")
    campaign.add_argument("--title", help=f"the campaign's title ({ASK})")
    campaign.add_argument("--id", help="its id: a-z, 0-9 and '-' (default: from the title)")
    campaign.add_argument("--start", help="first day: YYYY-MM-DD or DD/MM/YYYY")
    campaign.add_argument("--end", help="last day: YYYY-MM-DD or DD/MM/YYYY")
    campaign.add_argument("--units", help="all, a unit kind (district...), or codes a,b,c")
    campaign.add_argument("--channels", help="channel kinds, comma separated")
    campaign.add_argument("--topics", help="topics (slugs or names), comma separated")
    campaign.add_argument("--quota", help="website posts each unit owes a quarter (0: none)")
    article = kinds.add_parser("article", help="a new Markdown article for a campaign")
    article.add_argument("--campaign", help="the campaign it is for (its id)")
    article.add_argument("--title", help=f"the article's title ({ASK})")
    article.add_argument("--summary", help="one or two sentences")
    article.add_argument("--published", help="publication date: YYYY-MM-DD or DD/MM/YYYY")
    article.add_argument("--topics", help="topics (slugs or names), comma separated")
    for p in (campaign, article):
        p.add_argument(
            "--no-input",
            action="store_true",
            help="ask nothing: take the default for every question not given as an option",
        )
