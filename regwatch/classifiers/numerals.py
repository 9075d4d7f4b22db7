"""Chinese and Arabic numerals to integers."""
from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
          "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)


def cn_to_int(text: str) -> int | None:
    """'一百一十万' -> 1100000, '二十七' -> 27, '253' -> 253; None if not a numeral."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total = section = digit = 0
    seen = False
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
            seen = True
        elif ch in SMALL_UNITS:
            section += (digit or 1) * SMALL_UNITS[ch]
            digit = 0
            seen = True
        elif ch in BIG_UNITS:
            total = (total + section + digit) * BIG_UNITS[ch]
            section = digit = 0
            seen = True
        else:
            return None
    return total + section + digit if seen else None


def amount_to_yuan(number: str, unit: str) -> int | None:
    """An amount such as ('1.2', '万') or ('一百一十', '万') in yuan."""
    number = number.replace(",", "").replace("，", "").strip()
    scale = {"": 1, "元": 1, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}.get(unit, 1)
    try:
        value = float(number)
    except ValueError:
        parsed = cn_to_int(number)
        if parsed is None:
            return None
        value = float(parsed)
    return int(round(value * scale))
