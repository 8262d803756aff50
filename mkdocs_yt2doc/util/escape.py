"""Outside text made inert: all escaping of titles, names, descriptions and transcripts.

Text from the internet is written as character references, so neither Markdown, HTML, Jinja
(for sites using mkdocs-macros) nor attribute lists can read it as syntax. Only http(s) URLs
become links or media sources.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from urllib.parse import quote, urlsplit

# Characters that Markdown, HTML, attribute lists, Jinja or YAML may read as syntax, and the
# character reference that replaces each (this runs on every word of every talk: a regex
# substitution measured twice as fast as str.translate here).
_SYNTAX_CHARS = "\\`*_{}[]()#+-.!<>&|~^=:\"'$%@;/"
_SYNTAX = re.compile("[" + re.escape(_SYNTAX_CHARS) + "]")
_REFERENCE = {ch: f"&#{ord(ch)};" for ch in _SYNTAX_CHARS}


# Control, invisible formatting (zero-width, bidi), private use, and lone surrogates (from a
# JSON or YAML escape: no file can be written with one).
_HIDDEN = ("Cc", "Cf", "Co", "Cs")


def clean(text: str) -> str:
    """One line, without control and invisible formatting characters (zero-width, bidi)."""
    if text.isprintable():  # the common case, checked in C: no line breaks, tabs or controls
        return text.strip()
    text = " ".join(text.split())
    return "".join(ch for ch in text if unicodedata.category(ch) not in _HIDDEN)


def clean_lines(text: str) -> str:
    """Text of many lines (a download: captions, plain text) without the characters `clean`
    takes out of a page's text; only the line breaks stay."""
    if text.replace("\n", "").isprintable():  # the common case, checked in C (every download)
        return text
    return "\n".join(
        line
        if line.isprintable()
        else "".join(ch for ch in line if unicodedata.category(ch) not in _HIDDEN)
        for line in text.split("\n")
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """Whether `text` holds a lone surrogate (U+D800-U+DFFF), which no file can be written with."""
    return _SURROGATE.search(text) is not None


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def inert(text: str) -> str:
    """Text that renders as itself in Markdown and HTML, on one line."""
    return _SYNTAX.sub(lambda match: _REFERENCE[match.group()], clean(text))


# Inside a raw HTML block (a transcript paragraph) Markdown reads nothing: only HTML's own
# characters and Jinja's braces need references. Speech rarely has them, so the scan finds
# nothing to replace in most paragraphs (this is the hot path of a build).
_HTML_TEXT = re.compile("[&<>{}]")


def html_text(text: str) -> str:
    """Text for the content of a raw HTML block, on one line."""
    return _HTML_TEXT.sub(lambda match: _REFERENCE[match.group()], clean(text))


def attr(text: str) -> str:
    """Text for an HTML attribute value or YAML front matter read by templates unescaped."""
    escaped = html.escape(clean(text), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")  # nothing for Jinja (macros)


_NOT_ID = re.compile(r"[^\w-]+")


def html_id(text: str) -> str:
    """An element id from the safe alphabet (letters, digits, '-', '_'), whatever `text` holds:
    ids go into attributes and attribute lists unquoted by some writers."""
    return _NOT_ID.sub("-", text).strip("-")[:80] or "id"


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), percent-encoded so it cannot break out of an attribute."""
    if not url:
        return None
    url = clean(url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


# What a terminal acts on or hides: controls (ANSI escapes, carriage returns), bidi and other
# invisible formatting, line and paragraph separators.
_UNSAFE_IN_LOG = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def log_safe(text: str) -> str:
    """`text` with every character a terminal would act on written as an escape (\\x1b), so
    a title cannot recolour, overwrite or hide a line of the build's log."""
    if text.isprintable():
        return text
    return "".join(
        ascii(ch)[1:-1] if unicodedata.category(ch) in _UNSAFE_IN_LOG else ch for ch in text
    )


class LogEscape(logging.Filter):
    """On the project's logger: each message made log-safe once, whatever it quotes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = log_safe(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True
