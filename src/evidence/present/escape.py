"""The one place that escapes text for what people see: HTML text and attributes, Markdown text, code and links,
and JSON inside a ``<script>`` element. Every renderer (the notebooks' cards and headings, the tables' HTML, the
book's front page and configuration, the writer's brief, ClaimReview) builds its output through these functions.

Markdown is built by construction: ``md(template, *values)`` formats like ``str.format`` but escapes every value
that is not already ``SafeMarkdown`` (what ``md``, ``md_code`` and ``md_link`` return), so untrusted text can only
ever arrive as text. ``md_text`` collapses a value to one line and backslash-escapes every character that could start
Markdown, MyST or HTML markup (CommonMark lets any ASCII punctuation be escaped so). Links are built only from
validated http(s) addresses or from pages of the book named by identifiers (``link_target``).

Written by hand where no maintained library does it: the standard library's ``html.escape`` escapes HTML, but no
library escapes text for CommonMark/MyST.
"""

from __future__ import annotations

import html
import json
import re
import string
from urllib.parse import quote, urlsplit

from ..errors import InputError
from ..export_fields import one_line

__all__ = ["SafeMarkdown", "html_attr", "html_link", "html_text", "json_script", "link_target", "md", "md_code",
           "md_link", "md_text"]

# Characters that start Markdown (CommonMark, GFM tables and strikethrough, MyST roles and math) or HTML anywhere
# in a line; escaped wherever they appear.
MARKDOWN_SPECIALS = frozenset("\\`*_{}[]<>#|!~$&^")
# Characters that start a block only at the beginning of a line (lists, quotes, headings, MyST targets, comments,
# fences, thematic breaks): escaped when they lead.
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
# Characters kept as they are in an address; everything else is percent-encoded (existing %XX escapes stay).
_URL_SAFE = "-._~:/?#@!$&*+,;=%"
_LOCAL_SAFE = "-._~/#%"


class SafeMarkdown(str):
    """Markdown known to be safe: a literal of ours, or built by ``md``/``md_code``/``md_link`` from escaped text."""


# Backticks and tildes fence code in Markdown: HTML handed to the book inside a MyST raw block must hold neither, or a
# line of them in the text would close the block and turn what follows into directives (an include, a meta refresh).
_FENCE_ENTITIES = str.maketrans({"`": "&#96;", "~": "&#126;"})


def html_text(value: object) -> str:
    """``value`` as HTML text (``& < > " '`` escaped, and the Markdown fence characters `` ` `` and ``~`` as character
    references, so the text cannot end a raw HTML block of the book)."""
    return html.escape("" if value is None else str(value), quote=True).translate(_FENCE_ENTITIES)


def html_attr(value: object) -> str:
    """``value`` as an HTML attribute value, to be written inside double quotes."""
    return html.escape(one_line("" if value is None else value), quote=True).translate(_FENCE_ENTITIES)


def link_target(target: str) -> str:
    """``target`` as a link's address: an http(s) address, or a relative one (a page of the book, named by
    identifiers: ``03-efficacy.html#claim-C04``, ``../site/index.html``), percent-encoded where it holds characters
    an address may not. Anything else raises InputError: no other scheme (``javascript:``, ``data:``), no other
    host through ``//``, and no free text ever becomes a link."""
    text = str(target).strip()
    parts = urlsplit(text)
    printable = text.isprintable() and not any(ch.isspace() for ch in text)
    if not parts.scheme and not parts.netloc and not text.startswith(("/", "\\")) and text.isprintable():
        return quote(text, safe=_LOCAL_SAFE)  # relative: no scheme, so it can only lead within the book
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not printable:
        raise InputError(f"{text[:120]!r} is not an http(s) address or a page of the book, so it is not linked. "
                         "Fix: give a full http(s) address in the data file it comes from.")
    return quote(text, safe=_URL_SAFE)


def html_link(label: object, target: str, *, css_class: str = "") -> str:
    """An ``<a>`` element: ``label`` escaped, ``target`` checked by ``link_target``."""
    attributes = f' class="{html_attr(css_class)}"' if css_class else ""
    return f'<a{attributes} href="{html_attr(link_target(target))}">{html_text(label)}</a>'


def md_text(value: object) -> SafeMarkdown:
    """``value`` as Markdown text on one line: whatever it holds renders as those characters, never as markup."""
    text = one_line("" if value is None else value)
    marker = _ORDERED_MARKER.match(text)
    out = []
    for i, ch in enumerate(text):
        leads_block = i == 0 and ch in string.punctuation
        ends_list_marker = marker is not None and i == marker.end(1)
        out.append("\\" + ch if ch in MARKDOWN_SPECIALS or leads_block or ends_list_marker else ch)
    return SafeMarkdown("".join(out))


def md_code(value: object) -> SafeMarkdown:
    """``value`` as an inline code span on one line (its own backticks cannot close it). Not for table cells,
    where GFM splits a code span at ``|``: use ``md_text`` there."""
    text = one_line("" if value is None else value)
    if not text:
        return SafeMarkdown("")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return SafeMarkdown(f"{fence}{pad}{text}{pad}{fence}")


def md_link(label: object, target: str) -> SafeMarkdown:
    """A Markdown link: ``label`` escaped (or kept when already SafeMarkdown), ``target`` checked by ``link_target``
    and with the characters that would end a Markdown address percent-encoded."""
    address = link_target(target).replace("(", "%28").replace(")", "%29")
    text = label if isinstance(label, SafeMarkdown) else md_text(label)
    return SafeMarkdown(f"[{text}]({address})")


class _MarkdownFormatter(string.Formatter):
    def format_field(self, value, format_spec):
        if isinstance(value, SafeMarkdown):
            return format(str(value), format_spec)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, format_spec)  # digits, sign, point and exponent only
        return md_text(format(value, format_spec))


_FORMATTER = _MarkdownFormatter()


def md(template: str, /, *args, **kwargs) -> SafeMarkdown:
    """``template.format(*args, **kwargs)`` with every value escaped as Markdown text, except SafeMarkdown values
    (and numbers). ``template`` is ours, never data."""
    return SafeMarkdown(_FORMATTER.vformat(template, args, kwargs))


def json_script(value: object) -> str:
    """``value`` as JSON inside a ``<script type="application/ld+json">`` element: ``<``, ``>`` and ``&`` are written
    as JSON escapes, so no text can close the element or open a comment."""
    text = json.dumps(value, indent=1, ensure_ascii=False)
    for ch, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                        ("\u2029", "\\u2029")):
        text = text.replace(ch, escaped)
    return f'<script type="application/ld+json">\n{text}\n</script>'
