"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check
character over the first 17 (weights 3^i mod 31, alphabet without I, O, S, V, Z)."""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
# position 1 registering authority, 2 kind of body, 3–8 division code (digits), 9–17 organisation code
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(value: str) -> str:
    """Upper case without spaces; raises ValueError unless the shape and the check character hold."""
    code = re.sub(r"\s", "", value or "").upper()
    if not SHAPE.match(code):
        raise ValueError("not an 18-character unified social credit code")
    if check_char(code[:17]) != code[17]:
        raise ValueError("the check character does not match")
    return code


def is_valid(value: str) -> bool:
    """Whether ``value`` is a well-formed code with the right check character."""
    try:
        normalise(value)
    except ValueError:
        return False
    return True


def make(authority: str, kind: str, division6: str, org9: str) -> str:
    """A code from its parts, check character added (the demo uses it)."""
    body = f"{authority}{kind}{division6}{org9}"
    return body + check_char(body)
