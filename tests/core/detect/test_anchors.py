"""Patterns searched only around their anchors (anchors.py) must find exactly what scanning
the whole text finds; that holds while each pattern's longest match stays within the bound
its detector declares."""

from __future__ import annotations

import random
import re
from re import _parser  # type: ignore[attr-defined]

import pytest

from tutela.core.detect import addresses, names
from tutela.core.detect.anchors import finditer

_ANCHORED = (
    (addresses._JP_RE, addresses._JP_ANCHOR, addresses._JP_LONGEST, "end"),
    (addresses._CN_RE, addresses._CN_ANCHOR, addresses._CN_LONGEST, "end"),
    (names._CJK_CUED, names._CJK_CUE_ANCHOR, names._CJK_CUED_LONGEST, "start"),
)
_PIECES = (
    "東京都", "千代田区", "丸の内", "1丁目", "2番", "3号", "4番地", "12-3", "-4", " ", "\u3000", "101号室", "大阪府",
    "収件人", "收件人：", "王小明", "李", "先生", "女士", "様", "さま", "殿", "氏名：", "山田 太郎", "お名前", "7", "a",
    ",", "\n", "路", "号", "名前", "さん", "、", "省", "市", "区", "大道", "胡同", "88号", "B座", "5室", "街",
)  # fmt: skip


def _texts() -> list[str]:
    rng = random.Random(2026)
    texts = ["", "東京都千代田区丸の内1丁目2番3号 101号室", "收件人：王小明先生 山田太郎様"]
    texts += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    return texts


@pytest.mark.parametrize(("pattern", "anchor", "longest", "side"), _ANCHORED)
def test_the_declared_longest_match_bounds_the_pattern(
    pattern: re.Pattern[str], anchor: re.Pattern[str], longest: int, side: str
) -> None:
    assert _parser.parse(pattern.pattern).getwidth()[1] <= longest


@pytest.mark.parametrize(("pattern", "anchor", "longest", "side"), _ANCHORED)
def test_searching_around_anchors_finds_what_the_whole_text_gives(
    pattern: re.Pattern[str], anchor: re.Pattern[str], longest: int, side: str
) -> None:
    for text in _texts():
        anchors = (getattr(match, side)() for match in anchor.finditer(text))
        around = [match.span() for match in finditer(pattern, text, anchors, longest)]
        assert around == [match.span() for match in pattern.finditer(text)], text
