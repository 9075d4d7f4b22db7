"""Chinese and Arabic numerals to integers."""
from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
          "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
BIG_UNITS = {"亿": 100_000_000, "万": 10_000}  # largest first: '一万亿' is 10^12
CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
UNIT_SCALE = {"": 1, "元": 1, "十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 1_000_000,
              "千万": 10_000_000, "亿": 100_000_000}


def _section(text: str) -> int | None:
    """A number below 10,000 ('二千零五', '十五', '5千', '3000'); None if malformed."""
    if text.isdigit():
        return int(text)
    total, digit, pending = 0, None, ""
    for ch in text:
        if ch.isdigit():
            pending += ch
            continue
        if pending:
            digit, pending = int(pending), ""
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            return None
    if pending:
        digit = int(pending)
    return total + (digit or 0)


def _parse(text: str) -> int | None:
    for unit, scale in BIG_UNITS.items():
        if unit in text:
            high, _, low = text.rpartition(unit)
            high_value = _parse(high) if high else 1
            low_value = _parse(low.lstrip("零〇")) if low.strip("零〇") else 0
            if high_value is None or low_value is None:
                return None
            return high_value * scale + low_value
    return _section(text)


def cn_to_int(text: str) -> int | None:
    """'一百一十万' -> 1100000, '一亿二千万' -> 120000000, '5千万' -> 50000000, '253' -> 253;
    None if not a numeral."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text or any(not ch.isdigit() and ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    return _parse(text)


def amount_to_yuan(number: str, unit: str) -> int | None:
    """An amount such as ('1.2', '万'), ('5', '千万') or ('一百一十', '万') in yuan."""
    number = number.replace(",", "").replace("，", "").strip()
    scale = UNIT_SCALE.get(unit, 1)
    try:
        value = float(number)
    except ValueError:
        parsed = cn_to_int(number)
        if parsed is None:
            return None
        value = float(parsed)
    return int(round(value * scale))
