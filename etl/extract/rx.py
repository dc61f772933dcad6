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
    return compiled(pattern, flags).search(string)


def match(pattern, string, flags=0):
    return compiled(pattern, flags).match(string)


def fullmatch(pattern, string, flags=0):
    return compiled(pattern, flags).fullmatch(string)


def sub(pattern, repl, string, count=0, flags=0):
    return compiled(pattern, flags).sub(repl, string, count)


def finditer(pattern, string, flags=0):
    return compiled(pattern, flags).finditer(string)


def findall(pattern, string, flags=0):
    return compiled(pattern, flags).findall(string)
