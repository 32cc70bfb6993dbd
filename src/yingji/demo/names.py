"""Deterministic, fictitious Chinese names, village-group names and phone numbers for the demo."""

from __future__ import annotations

import numpy as np

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国春梅林斌宇浩凯鹏飞云海波宁"
    "婷雪琳晨阳志刚俊峰健成永德兴福贵顺昌发荣旺富祥和安康"
)
GIVEN = [c for c in GIVEN if "\u4e00" <= c <= "\u9fff"]
PLACE_HEADS = [
    "桃树",
    "杨柳",
    "大坪",
    "岩脚",
    "龙井",
    "水井",
    "新寨",
    "老寨",
    "坪上",
    "槽口",
    "高坡",
    "麻塘",
    "竹林",
    "枫香",
    "茶园",
    "黄泥",
    "红岩",
    "青杠",
    "大田",
    "小河",
    "沙坝",
    "木林",
    "石板",
    "井坝",
    "凉风",
    "杉木",
    "梨子",
    "核桃",
    "板栗",
    "白果",
    "桐子",
    "荷花",
    "松树",
    "马鞍",
    "狮子",
    "凤凰",
    "响水",
    "落水",
    "冷水",
    "长冲",
]
PLACE_TAILS = ["湾", "坪", "坝", "寨", "坡", "沟", "岩", "田", "冲", "院", "垭", "堡", "塘", "湾", "溪"]
NUMERALS = "零一二三四五六七八九十"
MOBILE_PREFIXES = [
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
]


def chinese_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n] if n < 10 else "十"
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else NUMERALS[tens]
    return head + "十" + (NUMERALS[ones] if ones else "")


class NameMaker:
    """Names and numbers from one seeded generator; numbers are unique within a build."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._serial = 0

    def person(self) -> tuple[str, str]:
        """(name, gender)"""
        surname = SURNAMES[int(self.rng.integers(0, len(SURNAMES)))]
        k = 1 if self.rng.random() < 0.3 else 2
        given = "".join(GIVEN[int(i)] for i in self.rng.integers(0, len(GIVEN), k))
        return surname + given, "M" if self.rng.random() < 0.62 else "F"

    def mobile(self) -> str:
        # 7919 is coprime with 10**8, so serial → 8 digits is a bijection: numbers never repeat.
        self._serial += 1
        prefix = MOBILE_PREFIXES[self._serial % len(MOBILE_PREFIXES)]
        return prefix + f"{(self._serial * 7919 + 1234567) % 10**8:08d}"

    def group_names(self, n: int) -> list[str]:
        """Names for a village's ``n`` groups: place-like names, unique within the village."""
        names: list[str] = []
        while len(names) < n:
            head = PLACE_HEADS[int(self.rng.integers(0, len(PLACE_HEADS)))]
            tail = PLACE_TAILS[int(self.rng.integers(0, len(PLACE_TAILS)))]
            name = f"{head}{tail}组"
            if name not in names:
                names.append(name)
            elif len(names) + 1 >= n or self.rng.random() < 0.2:
                names.append(f"{chinese_number(len(names) + 1)}组")
        return names
