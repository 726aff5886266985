"""Find the line of a key (or of a string inside its value) in TOML text, so that a
validation error can say `policy.toml:14`. tomllib keeps no positions; this reads the
text the way a person does: table headers, then `key = value` lines."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.\-*"]+)\s*=')


def _split_dotted(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for match in re.finditer(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', text):
        parts.append(next(g for g in match.groups() if g is not None))
    return tuple(parts)


class LineIndex:
    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._key_lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(self._lines, start=1):
            header = _HEADER.match(line)
            if header:
                table = _split_dotted(header.group(1))
                self._key_lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._key_lines.setdefault(table + _split_dotted(key.group(1)), number)

    def line_of(self, path: tuple[str, ...], needle: str | None = None) -> int:
        """The line of `path` (the longest known prefix), or of `needle` quoted after it."""
        start = 0
        for cut in range(len(path), 0, -1):
            if path[:cut] in self._key_lines:
                start = self._key_lines[path[:cut]]
                break
        if needle is not None and start:
            quoted = (f'"{needle}"', f"'{needle}'")
            for number in range(start, len(self._lines) + 1):
                if any(q in self._lines[number - 1] for q in quoted):
                    return number
        return start or 1
