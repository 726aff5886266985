"""How a field looks when a role may only see it masked: enough to recognise, not to use."""

from __future__ import annotations

from tutela.core.taxonomy import CATEGORIES, MaskStyle

_STAR = "•"


def _keep(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return _STAR * len(text)
    return text[:head] + _STAR * (len(text) - head - tail) + (text[-tail:] if tail else "")


def mask(category: str, value: str) -> str:
    entry = CATEGORIES.get(category)
    style = entry.mask if entry else MaskStyle.FULL
    if style is MaskStyle.EMAIL:
        local, _, domain = value.partition("@")
        return f"{_keep(local, 1, 0)}@{domain}" if domain else _keep(value, 1, 0)
    if style is MaskStyle.PHONE:
        return _keep(value, 3, 2)
    if style is MaskStyle.NAME:
        return " ".join(_keep(word, 1, 0) for word in value.split())
    if style is MaskStyle.HEAD:
        return _keep(value, 3, 0)
    if style is MaskStyle.TAIL:
        return _keep(value, 0, 2)
    return _STAR * 8
