"""re.search & co. with a plain dict of compiled patterns: cheaper than re's own cache in hot loops."""

import re

_CACHE: dict = {}


def compiled(pattern: str, flags: int = 0) -> re.Pattern:
    key = (pattern, flags)
    rx = _CACHE.get(key)
    if rx is None:
        rx = _CACHE[key] = re.compile(pattern, flags)
    return rx


def search(pattern, string, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).search(string)


def match(pattern, string, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).match(string)


def fullmatch(pattern, string, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).fullmatch(string)


def sub(pattern, repl, string, count=0, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).sub(repl, string, count)


def finditer(pattern, string, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).finditer(string)


def findall(pattern, string, flags=0):
    return (_CACHE.get((pattern, flags)) or compiled(pattern, flags)).findall(string)


def caseless(rx: re.Pattern) -> re.Pattern:
    """rx without re.I, to run on lower_ascii(text): the same matches at the same offsets when every letter
    written in rx is lower-case (re.I costs two to three times more per character)."""
    letters = re.sub(r"\\.|\(\?P[<=]", "", rx.pattern)  # escapes (\S, \W) and named groups are no letters
    if any(c.isupper() for c in letters):
        raise ValueError(f"caseless: an upper-case letter in {rx.pattern[:60]!r}")
    return re.compile(rx.pattern, rx.flags & ~re.I)


_LAST = ("", "")  # the last text lowered, and its lower-case copy (one tuple: safe to swap between threads)


def lower_ascii(text: str) -> str | None:
    """text.lower() when text is ASCII (then it has the same length, and a pattern matches it without re.I exactly
    where it matches text with re.I), else None. The last text is remembered: a document is read many times."""
    global _LAST
    if not text.isascii():
        return None
    last = _LAST
    if last[0] is not text:
        last = _LAST = (text, text.lower())
    return last[1]
