"""The project's own description, ``evidence.toml``: the book's title, the article checked, who publishes the
checks, and (when known) where the article and the published brief live.

    title = "Checking a clinic's article on ketamine infusion therapy for PTSD"
    article = "a clinic's web article on ketamine infusion therapy for PTSD"
    publisher = "the evidence project"          # ClaimReview's author
    article_url = ""                            # the article's address, when it is known (never guessed)
    site_url = ""                               # where site/ is published; ClaimReview urls are relative without it
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..vocab import URL_PATTERN

__all__ = ["Project", "load_project"]

DEFAULT_PUBLISHER = "the evidence project"


@dataclass(frozen=True)
class Project:
    title: str
    article: str = ""
    publisher: str = DEFAULT_PUBLISHER
    article_url: str = ""
    site_url: str = ""


def load_project(root: Path) -> Project:
    """evidence.toml under ``root``; without one, a project titled by its folder's name."""
    path = root / "evidence.toml"
    if not path.is_file():
        return Project(title=root.name)
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc}).", file="evidence.toml",
                        fix='write each setting as `name = "value"`.') from None
    known = ("title", "article", "publisher", "article_url", "site_url")
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise DataError(f"unknown setting {unknown[0]!r}.", file="evidence.toml", column=unknown[0],
                        fix=f"use only {', '.join(known)}.")
    text = {k: str(values.get(k) or "").strip() for k in known}
    for name in ("article_url", "site_url"):
        if text[name] and not URL_PATTERN.match(text[name]):
            raise DataError(f"{name} {text[name]!r} is not an http(s) address.", file="evidence.toml", column=name,
                            fix="give the full address, or leave it empty.")
    if text["site_url"] and not text["site_url"].endswith("/"):
        text["site_url"] += "/"
    return Project(title=text["title"] or root.name, article=text["article"],
                   publisher=text["publisher"] or DEFAULT_PUBLISHER, article_url=text["article_url"],
                   site_url=text["site_url"])
