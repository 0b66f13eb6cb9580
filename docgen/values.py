"""What clerks write in a form, normalised: dates, phones, counts, money and goods, names, schools, text.

Pure functions, one per :class:`~docgen.forms.ValueType`. Each returns a :class:`Normal`
``(normalized, factor, flags)``:

* ``normalized`` — the typed value (see :data:`docgen.extraction.Normalized`), or None when the text could
  not be normalised (then ``flags`` says why);
* ``factor`` — how much normalising is sure of itself, in (0, 1]; the caller multiplies it with the
  reading confidence. Anything that failed or was guessed is below :data:`SURE` so that it is reviewed;
* ``flags`` — machine-readable reasons (``invalid_date``, ``indeterminate_date``, ``year_missing``,
  ``invalid_phone``, ``approximate``, ``ocr_corrected``, …; :data:`FLAG_TEXT` describes each in Chinese).

Shapes of ``normalized`` (documented for users in docs/extraction.md):

========== ================================================================================================
type       normalized
========== ================================================================================================
date       ``date``; a range ``{"start": date, "end": date}``; a partial ``{"year"?, "month"?, "day"?}``
           for indeterminate phrases (4月中旬) and year-less dates without a context year; else None
phone      the digits (``13812345678``, landline ``07722815945``, extension ``07722815945转8021``);
           several numbers joined with ``、``
count      ``{"amount": int, "unit": str | None, "approximate": bool}`` (``"max"`` too for 200-300人次)
money      ``{"items": [{"kind", "amount", "unit"} …]}``, amounts in the base unit (2万元 → 20000 元);
           goods may carry ``"value"`` in 元 (电脑10台，价值5万元); 无 / — → no items
integer    ``int``
name       the name(s), spaces inside a 2–3 character name removed (李 云 → 李云)
school     the name without spaces, ASCII letters and digits half-width, brackets full-width
text       the text stripped, wrapped lines joined ("" between CJK, " " between Latin words)
========== ================================================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from docgen.extraction import Normalized
from docgen.forms.schema import ValueType

SURE = 0.9
"""Factors at or above this are certain enough to need no review (the default review threshold)."""

# How much each kind of doubt costs. All below SURE: a guessed or failed value is always reviewed.
OCR_FIX = 0.85
GUESSED = 0.85
PARTIAL = 0.6
FAILED = 0.3

FLAG_TEXT: dict[str, str] = {
    "invalid_date": "日期无效",
    "invalid_range": "日期范围无效（结束早于开始）",
    "indeterminate_date": "日期不确定（未写明具体日期）",
    "year_missing": "日期缺少年份",
    "year_inferred": "年份按填报年份推定",
    "two_digit_year": "年份只写了两位",
    "implausible_year": "年份不合常理",
    "invalid_phone": "电话号码无效",
    "invalid_count": "人数/人次无法识别",
    "count_range": "人数/人次为范围",
    "summed": "多个数目已相加",
    "approximate": "约数",
    "invalid_money": "资金、物品无法识别",
    "unparsed_text": "部分文字未能识别为数目",
    "invalid_integer": "序号不是整数",
    "suspicious_name": "姓名含数字或字母",
    "ocr_corrected": "已校正疑似识别错误的字符（O→0，l→1）",
    "separator_restored": "已补回识别时丢失的日期分隔符（如 2019/0410 → 2019/04/10）",
    "low_confidence": "识别置信度低",
    "value_is_label": "内容像是表格标签（可能读入了表头或标签）",
    "holds_printed_text": "内容含表单标题、印刷说明或识别码（可能多行文字连在一起）",
    "name_too_short": "姓名只有一个字（可能被截断）",
    "year_out_of_period": "年份与填报年份相差较大",
    "shared_source": "同一处文字被读作多个栏目的值",
    "out_of_sequence": "序号与前后行不连续",
    "sequence_gap": "序号未识别到，已按其他行的编号推定",
    "cut_by_page": "表格到页面底部为止、其后没有内容：这一行可能被分页截断（下一页未附上？），请对照原件",
    "label_guessed": "按位置推定的字段",
    "from_seal": "表上未读到，按公章上的校名填入",
    "part_of_pair_name": "校名只是结对学校或本表另一处校名的一部分（可能漏识别了字）",
    "one_character_off_pair_name": "识别的校名与结对学校只差一字，已按结对学校名称填入",
    "label_ambiguous": "标签可能对应多个栏目，按上下文推定",
    "column_missing": "表格缺少此列",
    "corrected": "已人工改正",
}
"""Each flag in the words a reviewer reads."""


class Normal(NamedTuple):
    """The result of normalising one value: ``(normalized, factor, flags)``."""

    normalized: Normalized
    factor: float = 1.0
    flags: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------- helpers

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_OR_PUNCT = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019]")
_BLANK = re.compile(r"^[\s_＿/／\\\-－—–―~～.。·]*$")
_DATE_PLACEHOLDER = re.compile(r"^[\s_＿]*年[\s_＿]*月[\s_＿]*日[\s_＿]*$")


def is_blank(text: str | None) -> bool:
    """Nothing written: empty, spaces, underscores, a lone ``/`` or dash, or the printed ``年  月  日``."""
    if text is None:
        return True
    return bool(_BLANK.match(text) or _DATE_PLACEHOLDER.match(text))


def halfwidth(text: str) -> str:
    """Full-width ASCII letters, digits and the ideographic space made half-width; CJK punctuation kept."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\u3000":
            out.append(" ")
        elif 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


_OCR_ZERO = re.compile(r"(?<=\d)[Oo〇]|[Oo〇](?=\d)")
_OCR_ONE = re.compile(r"(?<=\d)[lI|]|[lI|](?=\d)")


def fix_ocr_digits(text: str) -> tuple[str, bool]:
    """``2O19`` → ``2019``, ``l38…`` → ``138…``: O/o and l/I/| that touch a digit. Returns (text, changed)."""
    fixed = text
    for _ in range(3):  # runs like "2OO9" need the neighbour fixed first
        fixed = _OCR_ONE.sub("1", _OCR_ZERO.sub("0", fixed))
    return fixed, fixed != text


def _prepare(text: str) -> tuple[str, tuple[str, ...]]:
    """NFKC (full-width digits and punctuation to ASCII) and OCR digit fixes; flags for what was fixed."""
    s = unicodedata.normalize("NFKC", text).strip()
    s, changed = fix_ocr_digits(s)
    return s, ("ocr_corrected",) if changed else ()


def _factor(flags: tuple[str, ...], base: float = 1.0) -> float:
    return min(base, OCR_FIX) if "ocr_corrected" in flags or "separator_restored" in flags else base


_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUMBER = re.compile(r"[零〇○一二两三四五六七八九十百千万亿]+")


def cn_to_int(text: str) -> int | None:
    """Chinese numerals: ``二十`` → 20, ``一百二十`` → 120, ``两千零五`` → 2005, ``三万`` → 30000; else None."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS and ch not in _CN_BIG for ch in text):
        return None
    total = section = 0
    digit: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _cn_year(text: str) -> int | None:
    """``二〇一九`` → 2019 (digit by digit)."""
    if len(text) in (2, 4) and all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    return None


_CN_DATE_PART = re.compile(r"([零〇○一二三四五六七八九十]+)(?=[年月日号])")


def _cn_date_digits(text: str) -> str:
    """Chinese numerals before 年/月/日 as digits: 二〇一九年四月二十三日 → 2019年4月23日."""

    def repl(m: re.Match[str]) -> str:
        part = m.group(1)
        after = text[m.end()] if m.end() < len(text) else ""
        value = _cn_year(part) if after == "年" else cn_to_int(part)
        return m.group(0) if value is None else str(value)

    return _CN_DATE_PART.sub(repl, text)


# ----------------------------------------------------------------------------------------------- dates

_DASH = r"(?:--|—+|–|-|~|～|至|到)"
_SEP = r"\s*[./\-]\s*"
# Y M D with 年月日 or . / - separators; 2- or 4-digit year
_FULL = re.compile(
    rf"^(?P<y>\d{{4}}|\d{{2}})\s*(?:年\s*|{_SEP})(?P<m>\d{{1,2}})\s*(?:月\s*|{_SEP})(?P<d>\d{{1,2}})\s*[日号]?$"
)
_MONTH_DAY = re.compile(rf"^(?P<m>\d{{1,2}})\s*(?:月\s*|{_SEP})(?P<d>\d{{1,2}})\s*[日号]?$")
_DAY = re.compile(r"^(?P<d>\d{1,2})\s*[日号]?$")
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:年\s*|[./\-]\s*)(?P<m>\d{1,2})\s*月?$")
_DECORATION = re.compile(
    r"[(（][^)）]*[)）]|(?:星期|周|礼拜)[一二三四五六日天]|上午|下午|晚上|中午|全天|\d{1,2}[:：]\d{2}(?:\s*-\s*\d{1,2}[:：]\d{2})?"
)
_YEAR_IN = re.compile(r"(\d{4})\s*年")
_MONTH_IN = re.compile(r"(\d{1,2})\s*月")
_DAY_IN = re.compile(r"(\d{1,2})\s*[日号]")
_DATE_CUES = re.compile(r"\d|[年月日号旬季期周初底末春夏秋冬寒暑]|待定|近期|学期")


class _Parts(NamedTuple):
    year: int | None
    month: int
    day: int
    two_digit: bool = False


def _parse_part(text: str, year: int | None, month: int | None) -> _Parts | None:
    """One side of a date or range; missing year/month come from the other side."""
    text = text.strip()
    if m := _FULL.match(text):
        y = int(m["y"])
        return _Parts(2000 + y if y < 100 else y, int(m["m"]), int(m["d"]), y < 100)
    if m := _MONTH_DAY.match(text):
        return _Parts(year, int(m["m"]), int(m["d"]))
    if month is not None and (m := _DAY.match(text)):
        return _Parts(year, month, int(m["d"]))
    return None


def _split_range(text: str) -> tuple[_Parts, _Parts | None] | None:
    """The start (and end, for a range) of a date text, or None when it is not one."""
    if single := _parse_part(text, None, None):
        return single, None
    for sep in re.finditer(_DASH, text):
        left, right = text[: sep.start()], text[sep.end() :]
        start = _parse_part(left, None, None)
        if start is None:
            continue
        end = _parse_part(right, start.year, start.month)
        if end is not None:
            return start, end
    return None


def _make_date(p: _Parts, year: int) -> date | None:
    try:
        return date(year, p.month, p.day)
    except ValueError:
        return None


PLAUSIBLE_YEARS = range(1990, 2101)
"""Years a returned form's date can name; another is flagged (``implausible_year``), never used to restore one."""

# A photo's or a grey scan's thin separators (``/``, ``.``, ``—``) are the strokes the recogniser drops first:
# 2019/04/10 comes back as 2019/0410, 2019年5月18日—21日 as 2019年5月18日21日.
_RUN_TAIL = re.compile(r"^(?P<y>\d{4})(?P<s>[./\-])(?P<md>\d{3,4})$")  # 2019/0410: month and day run together
_RUN_HEAD = re.compile(r"^(?P<y>\d{4})(?P<m>\d{1,2})(?P<s>[./\-])(?P<d>\d{1,2})$")  # 201904/10: year and month
_RUN_ALL = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")  # 20190410
_DAY_END = re.compile(r"\d[日号]")


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return year in PLAUSIBLE_YEARS


def restore_date_separator(text: str) -> str | None:
    """``text`` (a date as read) with the separator the recogniser lost put back, or None when nothing looks
    lost or more than one reading would fit.

    * month and day run together after the year: ``2019/0410`` → ``2019/04/10`` (the year's separator
      repeated); restored only when one split gives a valid day — ``2019/123`` (1/23 or 12/3) is left alone;
    * year and month run together: ``201904/10`` → ``2019/04/10`` (a year has four digits);
    * all three: ``20190410`` → ``2019.04.10``;
    * a range whose dash was lost between two days: ``2019年5月18日21日`` → ``2019年5月18日—21日``, when the
      second day is after the first (a written day ends in 日; two in a row are a range's two ends).

    The caller keeps the value flagged (:data:`FLAG_TEXT` ``separator_restored``): a restored separator is a
    guess a reviewer confirms.
    """
    s = squashed(text)
    if m := _RUN_TAIL.match(s):
        y, md = int(m["y"]), m["md"]
        fits = [(md[:k], md[k:]) for k in (1, 2) if len(md) - k in (1, 2)
                and _valid_day(y, int(md[:k]), int(md[k:]))]
        if len(fits) == 1:
            return f"{m['y']}{m['s']}{fits[0][0]}{m['s']}{fits[0][1]}"
        return None
    if (m := _RUN_HEAD.match(s)) and _valid_day(int(m["y"]), int(m["m"]), int(m["d"])):
        return f"{m['y']}{m['s']}{m['m']}{m['s']}{m['d']}"
    if (m := _RUN_ALL.match(s)) and _valid_day(int(m["y"]), int(m["m"]), int(m["d"])):
        return f"{m['y']}.{m['m']}.{m['d']}"
    ends = list(_DAY_END.finditer(s))
    if len(ends) == 2 and ends[1].end() == len(s):
        cut = ends[0].end()
        left, right = s[:cut], s[cut:]
        start = _parse_part(left, None, None)
        end = _parse_part(right, start.year, start.month) if start is not None else None
        if start is not None and end is not None and (end.year or start.year or 0, end.month, end.day) > (
                start.year or 0, start.month, start.day):
            return f"{left}—{right}"
    return None


def normalize_date(text: str, *, context_year: int | None = None) -> Normal:
    """A date, a range, or a date-ish phrase kept as text.

    ``2019年4月23日``, ``2019.4.23``, ``2019-4-23``, ``2019/04/23``, ``二〇一九年四月二十三日`` → a date;
    ``2019年4月23日—26日``, ``2019.4.23-4.26``, ``2019年4月23日至5月2日`` → ``{"start", "end"}``;
    ``19.4.23`` → 2019-04-23 flagged ``two_digit_year``; ``4月23日`` takes ``context_year`` (flag
    ``year_inferred``) or is a partial ``{"month", "day"}`` flagged ``year_missing``; ``4月中旬``,
    ``9月上旬起每周二``, ``2019年春季`` → a partial (or None) flagged ``indeterminate_date``;
    ``2019.2.30`` → None flagged ``invalid_date``.
    """
    if is_blank(text):
        return Normal(None)
    s, flags = _prepare(_cn_date_digits(text))
    s = re.sub(r"\s+", "", s)
    core = _DECORATION.sub("", s).strip()
    parsed = _split_range(core) if core else None
    if parsed is None and core == s and (restored := restore_date_separator(s)) is not None:
        parsed = _split_range(restored)
        if parsed is not None:  # read as the date it is, never sure of it
            flags = (*flags, "separator_restored")
    if parsed is None:
        return _indeterminate(s, flags, context_year)
    start, end = parsed
    year = start.year if start.year is not None else (end.year if end and end.year is not None else None)
    factor = _factor(flags)
    if year is None:
        if context_year is None:
            partial: dict[str, Any] = {"month": start.month, "day": start.day}
            return Normal(partial, PARTIAL, (*flags, "year_missing"))
        year, flags, factor = context_year, (*flags, "year_inferred"), min(factor, 0.95)
    if start.two_digit or (end is not None and end.two_digit):
        flags, factor = (*flags, "two_digit_year"), min(factor, GUESSED)
    first = _make_date(start, start.year or year)
    last = _make_date(end, end.year or year) if end is not None else None
    if first is None or (end is not None and last is None):
        return Normal(None, FAILED, (*flags, "invalid_date"))
    if first.year not in PLAUSIBLE_YEARS:
        flags, factor = (*flags, "implausible_year"), min(factor, PARTIAL)
    if last is None or last == first:
        return Normal(first, factor, flags)
    if last < first:
        return Normal(None, FAILED, (*flags, "invalid_range"))
    return Normal({"start": first, "end": last}, factor, flags)


def _indeterminate(s: str, flags: tuple[str, ...], context_year: int | None) -> Normal:
    """A phrase that is not a determinate date: keep what it tells (year, month, day) as a partial."""
    if not _DATE_CUES.search(s):
        return Normal(None, FAILED, (*flags, "invalid_date"))
    partial: dict[str, Any] = {}
    if (y := _YEAR_IN.search(s)) or (y := _YEAR_MONTH.match(s)):
        partial["year"] = int(y.group(1))
    if (m := _MONTH_IN.search(s)) and 1 <= int(m.group(1)) <= 12:
        partial["month"] = int(m.group(1))
    elif (ym := _YEAR_MONTH.match(s)) and 1 <= int(ym["m"]) <= 12:
        partial["month"] = int(ym["m"])
    if "month" in partial and (d := _DAY_IN.search(s)) and 1 <= int(d.group(1)) <= 31:
        partial["day"] = int(d.group(1))
    if partial and "year" not in partial and context_year is not None:
        partial = {"year": context_year, **partial}
    return Normal(partial or None, PARTIAL if partial else FAILED, (*flags, "indeterminate_date"))


# ---------------------------------------------------------------------------------------------- phones

_MOBILE = re.compile(r"1[3-9]\d{9}")
# 3-digit area codes (010, 020–029) go with 8-digit numbers, 4-digit ones (03xx–09xx) with 7 or 8: a number
# with a digit dropped (0837-682234) is no phone, not a sure one
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_SERVICE = re.compile(r"[48]00\d{7}")
_EXT = re.compile(r"(?:转|分机|ext\.?|x|#)", re.IGNORECASE)
_DASH_EXT = re.compile(r"^(\(?0\d{2,3}\)?-?\d{7,8})-(\d{1,6})$")
_PHONE_SPLIT = re.compile(r"[、/，,；;]+")
_LABEL_TEXT = re.compile(r"^[^\d(+]*")


def _one_phone(token: str) -> str | None:
    """One number without spaces → its digits (with ``转`` and the extension), or None."""
    token = _LABEL_TEXT.sub("", token)  # 手机：, 张三, Tel:
    token = re.sub(r"[^\d)]*$", "", token) if not _EXT.search(token) else token.rstrip("）)：:。.")
    if not token:
        return None
    ext = ""
    parts = _EXT.split(token, maxsplit=1)
    if len(parts) == 2 and parts[1].isdigit():
        token, ext = parts[0], parts[1]
    elif m := _DASH_EXT.match(token):
        token, ext = m.group(1), m.group(2)
    digits = re.sub(r"[()\-]", "", token)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        return None
    if _MOBILE.fullmatch(digits) and not ext:
        return digits
    if _LANDLINE.fullmatch(digits) or _LOCAL.fullmatch(digits) or _SERVICE.fullmatch(digits):
        return f"{digits}转{ext}" if ext else digits
    return None


_GLUED_MOBILE = (re.compile(r"(1[3-9]\d{9})(?=[\d(（+])"), re.compile(r"(?<=\d)(1[3-9]\d{9})$"))  # first, last


def _phones_in(chunk: str) -> tuple[list[str], bool]:
    """Numbers in a chunk where spaces may sit inside a number (138 1234 5678) or between numbers.

    Two numbers with nothing between them — a cell's two lines read as one run, ``18061287948139 7090 5373``,
    ``13558952548(0530)6860395``, ``139 6391 832113590452308`` — are parted after a mobile's 11 digits at a
    run's start or before them at its end, and taken only when every part is then a number: a mobile is
    exactly 11 digits, so the place is not a guess (``138123456789`` stays invalid).
    """
    whole = _one_phone(re.sub(r"\s+", "", chunk))
    if whole is not None:
        return [whole], False
    tokens = chunk.split()
    found, bad = _phone_tokens(tokens)
    if bad or not found:
        first, last = _GLUED_MOBILE
        parted = [piece for token in tokens for piece in last.sub(r" \1", first.sub(r"\1 ", token)).split()]
        numbers, parted_bad = _phone_tokens(parted)
        if numbers and not parted_bad:
            return numbers, False
    return found, bad


def _phone_tokens(tokens: Sequence[str]) -> tuple[list[str], bool]:
    """Numbers in ``tokens``, each made of as many tokens in a row as make one number, longest first."""
    found: list[str] = []
    bad = False
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            number = _one_phone("".join(tokens[i:j]))
            if number is not None:
                found.append(number)
                i = j
                break
        else:
            bad = bad or bool(re.search(r"\d", tokens[i]))
            i += 1
    return found, bad


def phone_number(text: str) -> str | None:
    """One phone number as written (spaces anywhere, full-width digits, ``手机：`` before it) → its digits
    in the shape :func:`normalize_phone` gives; None when it is not one number. THE phone rule: the roster's
    phone check (:func:`is_phone`) and the form reader's normaliser both use it."""
    return _one_phone(squashed(text))


def is_phone(text: str) -> bool:
    """One phone number: a mobile (``138 1234 5678``, ``138-1234-5678``, ``+8613812345678``) or a landline
    (``0531-81916516``, ``(0772)2815945``, ``2815945``, ``0772-2815945转8021``)."""
    return phone_number(text) is not None


def bad_phones(text: str) -> list[str]:
    """The parts of a phone cell that are not phone numbers; several numbers are separated by 、/，,；;."""
    parts = [p.strip() for p in _PHONE_SPLIT.split(text)]
    return [p for p in parts if p and not is_phone(p)]


def normalize_phone(text: str) -> Normal:
    """Mobile (``138 1234 5678``, ``+86 13812345678``) and landline (``0772-2815945``, ``(0531)81916516``,
    ``2815945``, ``0772-2815945转8021``) numbers, several per cell (``、 / ， ;`` or spaces); leading
    text such as 手机： or a name is dropped. Invalid → None flagged ``invalid_phone`` (if some numbers are
    valid they are kept, still flagged)."""
    if is_blank(text):
        return Normal(None)
    s, flags = _prepare(text)
    found: list[str] = []
    bad = False
    for chunk in _PHONE_SPLIT.split(s):
        if chunk.strip():
            numbers, chunk_bad = _phones_in(chunk)
            found.extend(numbers)
            bad = bad or chunk_bad or not numbers
    if not found:
        return Normal(None, FAILED, (*flags, "invalid_phone"))
    if bad:
        return Normal("、".join(found), PARTIAL, (*flags, "invalid_phone"))
    return Normal("、".join(found), _factor(flags), flags)


# ---------------------------------------------------------------------------------------------- counts

_APPROX_BEFORE = re.compile(r"约|大约|近|将近|超过|逾|不少于|至少")
_APPROX_AFTER = re.compile(r"^(?:余|多|左右|以上|\+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇○一二两三四五六七八九十百千万亿]+")
_COUNT_UNITS = ("人次", "人", "名", "位", "个", "次", "场", "节", "所", "期", "项", "天")
_COUNT_UNIT_ALIASES = {"名": "人", "位": "人"}
_NONE_WORDS = {"无", "没有", "暂无", "0", "零"}


def _number(token: str) -> float | None:
    if token[0].isdigit():
        return float(token)
    value = cn_to_int(token)
    return None if value is None else float(value)


def _scaled(number: float, after: str) -> tuple[float, str]:
    """``2`` + ``万元`` → (20000, ``元``); the multiplier words 万/千/亿 after a digit number."""
    for word, mult in (("亿", 100_000_000), ("万", 10_000), ("千", 1_000)):
        if after.startswith(word):
            return number * mult, after[len(word) :]
    return number, after


def normalize_count(text: str, *, default_unit: str | None = None) -> Normal:
    """``120人次``, ``约300人次`` (``approximate``), ``300余人``, ``5人``, ``3名`` (unit 人), ``二十人``, plain
    ``45`` (unit ``default_unit``), ``无`` → 0; ``200-300人次`` → amount 200, ``"max"`` 300, flagged
    ``count_range``; ``教师20人、学生100人`` → summed, flagged ``summed``."""
    if is_blank(text):
        return Normal(None)
    s, flags = _prepare(text)
    s = re.sub(r"\s+", "", s)
    if s in _NONE_WORDS:
        return Normal({"amount": 0, "unit": default_unit, "approximate": False}, _factor(flags), flags)
    amounts: list[tuple[float, str | None, bool]] = []
    consumed = 0
    for m in _NUMBER.finditer(s):
        value = _number(m.group(0))
        if value is None or m.start() < consumed:
            continue
        value, after = _scaled(value, s[m.end() :])
        consumed = len(s) - len(after)
        bare = after.lstrip("余多")
        unit = next((u for u in _COUNT_UNITS if bare.startswith(u)), None)
        rest = bare[len(unit) :] if unit else bare
        approx = bool(
            _APPROX_BEFORE.search(s[max(0, m.start() - 2) : m.start()])
            or _APPROX_AFTER.match(after)
            or _APPROX_AFTER.match(rest)
        )
        amounts.append((value, _COUNT_UNIT_ALIASES.get(unit, unit) if unit else None, approx))
    if not amounts or any(v != int(v) for v, _, _ in amounts):
        return Normal(None, FAILED, (*flags, "invalid_count"))
    units = {u for _, u, _ in amounts if u}
    if len(units) > 1:  # 20人、3场: cannot be added
        return Normal(None, FAILED, (*flags, "invalid_count"))
    unit = units.pop() if units else default_unit
    approx = any(a for _, _, a in amounts)
    if approx:
        flags = (*flags, "approximate")
    if len(amounts) == 1:
        return Normal({"amount": int(amounts[0][0]), "unit": unit, "approximate": approx}, _factor(flags), flags)
    if len(amounts) == 2 and re.search(rf"\d\s*(?:人次|人|名)?\s*{_DASH}\s*\d", s):
        low, high = sorted(int(v) for v, _, _ in amounts)
        ranged: dict[str, Any] = {"amount": low, "max": high, "unit": unit, "approximate": True}
        return Normal(ranged, GUESSED, (*flags, "count_range"))
    total = sum(int(v) for v, _, _ in amounts)
    return Normal({"amount": total, "unit": unit, "approximate": approx}, GUESSED, (*flags, "summed"))


# ----------------------------------------------------------------------------------------------- money

_MONEY_UNITS = ("元",)
_GOODS_UNITS = (
    "台套", "公斤", "千克", "册", "本", "套", "台", "件", "个", "张", "箱", "份", "批", "辆", "架", "支", "盒",
    "包", "袋", "双", "把", "块", "部", "吨", "斤", "株", "棵", "条", "床", "顶", "只", "组", "间", "所",
)
_VERBS = re.compile(
    r"^(?:捐赠|捐助|捐献|捐款|捐|赠送|赠|购置|购买|提供|发放|资助|援助|帮扶|支援|配备|送|计|共计|合计|总计|共|约|"
    r"人民币|其中|包括|及|和|与|以及|另|等)+"
)
_VALUE_WORDS = ("价值", "折合", "合计价值", "总价值", "价值约", "约值", "计值")
_ITEM_SPLIT = re.compile(
    r"[、，,；;。\s]+|(?<=[元册本套台件个张箱份批辆架支盒包袋双把块部吨斤株棵条床顶只组间所])(?:和|及|与|以及)"
)


def normalize_money_goods(text: str) -> Normal:
    """``资金2万元`` → 资金 20000 元; ``2.5万元``, ``3000元``, ``￥5000`` → 资金; ``图书500册``; several items
    (``资金2万元、图书500册``); ``电脑10台，价值5万元`` → 电脑 10 台 with ``"value": 50000``; ``无``, ``/``,
    ``—`` → no items; nothing written → None. Text that is not an amount is flagged ``unparsed_text``."""
    if not text.strip():
        return Normal(None)
    s, flags = _prepare(text)
    s = s.replace("￥", "").replace("¥", "")
    compact = re.sub(r"\s+", "", s)
    if is_blank(text) or compact in _NONE_WORDS or compact in {"无资金物品", "无资金、物品", "不涉及"}:
        return Normal({"items": []}, _factor(flags), flags)
    items: list[dict[str, Any]] = []
    unparsed = False
    approx = False
    for chunk in _ITEM_SPLIT.split(s):
        if not chunk:
            continue
        if chunk.startswith(("约", "近")) or chunk.endswith(("左右", "余元", "多元")):
            approx = True
        chunk = chunk.removesuffix("左右")
        value_of_previous = chunk.startswith(_VALUE_WORDS)
        for word in sorted(_VALUE_WORDS, key=len, reverse=True):
            chunk = chunk.removeprefix(word)
        chunk = _VERBS.sub("", chunk)
        item = _money_item(chunk)
        if item is None:
            unparsed = unparsed or bool(chunk)
            continue
        if value_of_previous and item["unit"] == "元" and items and items[-1]["unit"] != "元":
            items[-1]["value"] = item["amount"]
        else:
            items.append(item)
    if approx:
        flags = (*flags, "approximate")
    if not items:
        return Normal(None, FAILED, (*flags, "invalid_money"))
    if unparsed:
        return Normal({"items": items}, PARTIAL, (*flags, "unparsed_text"))
    return Normal({"items": items}, _factor(flags), flags)


def _money_item(chunk: str) -> dict[str, Any] | None:
    """``资金2万元`` / ``500册图书`` / ``图书500册`` → one item, or None."""
    for m in _NUMBER.finditer(chunk):
        number = _number(m.group(0))
        if number is None:
            continue
        before, after = chunk[: m.start()], chunk[m.end() :]
        number, after = _scaled(number, after)
        after = after.lstrip("余多")
        unit = next((u for u in (*_MONEY_UNITS, *_GOODS_UNITS) if after.startswith(u)), None)
        if unit is None:
            if after or before:
                continue
            unit = "元"  # a bare number in a money column
        kind = before.strip() or after[len(unit) :].strip().removeprefix("的")
        if not kind:
            kind = "资金" if unit == "元" else "物品"
        if kind in {"现金", "资金", "经费", "款", "捐款", "善款"} or (unit == "元" and kind.endswith(("资金", "经费"))):
            kind = kind if kind.endswith(("资金", "经费")) else "资金"
        amount: float | int = int(number) if number == int(number) else number
        return {"kind": kind, "amount": amount, "unit": unit}
    return None


# -------------------------------------------------------------------------------- integer, name, school

_SERIAL = re.compile(r"^[(（]?(\d+)[)）.、．]?$")


def normalize_integer(text: str) -> Normal:
    """序号: ``1``, ``01``, ``1.``, ``（1）``, ``一`` → int; anything else → None flagged ``invalid_integer``."""
    if is_blank(text):
        return Normal(None)
    s, flags = _prepare(text)
    s = re.sub(r"\s+", "", s)
    if m := _SERIAL.match(s):
        return Normal(int(m.group(1)), _factor(flags), flags)
    if (value := cn_to_int(s.strip("()（）.、"))) is not None:
        return Normal(value, _factor(flags), flags)
    return Normal(None, FAILED, (*flags, "invalid_integer"))


_NAME_SPACES = re.compile(f"^[{_CJK}](?:\\s*[{_CJK}]){{1,2}}$")


def normalize_name(text: str) -> Normal:
    """A person's name: ``李 云`` → ``李云`` (spaces inside a 2–3 character name), other runs of spaces
    collapsed, several names kept as written (``张三、李四``). Digits or Latin letters → ``suspicious_name``."""
    if is_blank(text):
        return Normal(None)
    s = " ".join(halfwidth(text).split())
    if _NAME_SPACES.match(s):
        s = s.replace(" ", "")
    if re.search(r"[0-9A-Za-z]", s) and _CJK_CHAR.search(s):
        return Normal(s, GUESSED, ("suspicious_name",))
    return Normal(s)


def normalize_school(text: str) -> Normal:
    """A school's name: spaces removed (``曹 县第一中学`` → ``曹县第一中学``), ASCII letters/digits half-width,
    brackets full-width (``（含柳东新区）``), wrapped lines joined."""
    if is_blank(text):
        return Normal(None)
    s = re.sub(r"\s+", "", halfwidth(text))
    s = s.replace("(", "（").replace(")", "）")
    return Normal(s)


def squashed(text: str) -> str:
    """``text`` NFKC-normalised with every space removed: how two readings of one text are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def join_lines(text: str) -> str:
    """Wrapped lines joined: ``""`` where either side is CJK (or CJK punctuation), ``" "`` between Latin."""
    out = ""
    for line in text.splitlines():
        out = join_wrapped(out, line)
    return out


def join_wrapped(first: str, rest: str) -> str:
    """``rest`` wrapped after ``first`` joined back (stripped at the join): ``""`` where either side is CJK (or
    CJK punctuation), ``" "`` between Latin; either side blank gives the other."""
    first, rest = first.rstrip(), rest.lstrip()
    if not first or not rest:
        return first or rest.rstrip()
    glue = "" if _CJK_OR_PUNCT.match(first[-1]) or _CJK_OR_PUNCT.match(rest[0]) else " "
    return first + glue + rest.rstrip()


def normalize_text(text: str) -> Normal:
    """Free text: stripped, wrapped lines joined (:func:`join_lines`), full-width ASCII made half-width."""
    if is_blank(text):
        return Normal(None)
    return Normal(join_lines(halfwidth(text)))


# -------------------------------------------------------------------------------------------- dispatch


def default_unit_for(label: str) -> str | None:
    """The unit a bare number in a count column means, from the column's label (受援人次 → 人次, 人数 → 人)."""
    if "人次" in label:
        return "人次"
    return "人" if "人数" in label else None


def normalize(
    kind: ValueType, text: str, *, context_year: int | None = None, default_unit: str | None = None
) -> Normal:
    """Normalise ``text`` as a value of type ``kind`` (``context_year`` for dates, ``default_unit`` for counts)."""
    text = join_lines(text) if kind is not ValueType.TEXT else text
    if kind is ValueType.DATE:
        return normalize_date(text, context_year=context_year)
    if kind is ValueType.COUNT:
        return normalize_count(text, default_unit=default_unit)
    return _SIMPLE[kind](text)


def kept_text(kind: ValueType, text: str, normal: Normal) -> str:
    """A value's text as the record keeps it: ``text`` stripped — with the date separator put back when
    :func:`normalize` read the date only by restoring it (:func:`restore_date_separator`), so the text shown
    to the reviewer says what the value was read as."""
    if kind is ValueType.DATE and "separator_restored" in normal.flags:
        restored = restore_date_separator(_prepare(join_lines(text))[0])
        if restored is not None:
            return restored
    return text.strip()


_SIMPLE: dict[ValueType, Callable[[str], Normal]] = {
    ValueType.TEXT: normalize_text,
    ValueType.NAME: normalize_name,
    ValueType.PHONE: normalize_phone,
    ValueType.MONEY_GOODS: normalize_money_goods,
    ValueType.SCHOOL: normalize_school,
    ValueType.INTEGER: normalize_integer,
}


# --- shown: a normalised value as a person reads it ------------------------------------------------------------
# The one rule: the web UI shows what the API computes here (``shown`` beside each value of a record) and the
# records export writes the same text, so a clerk reads 2019年4月18日至4月20日 in both, never JSON.


def _num(n: float) -> str:
    """A number with thousands separators and at most three decimals (20000 → 20,000; 2.5 → 2.5)."""
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.3f}".rstrip("0").rstrip(".")


def _iso_words(text: str) -> str:
    year, month, day = (int(p) for p in text.split("-"))
    return f"{year}年{month}月{day}日"


def _shown_date(n: Any) -> str:
    if isinstance(n, date):
        return f"{n.year}年{n.month}月{n.day}日"
    if isinstance(n, str):
        return _iso_words(n) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", n) else n
    if "start" in n and "end" in n:
        start, end = str(_json_date(n["start"])), str(_json_date(n["end"]))
        end_words = _iso_words(end)
        if start[:4] == end[:4]:
            end_words = end_words.split("年", 1)[1]
        return f"{_iso_words(start)}至{end_words}"
    parts = [(n.get("year"), "年"), (n.get("month"), "月"), (n.get("day"), "日")]
    return "".join(f"{v}{unit}" for v, unit in parts if v)


def _json_date(v: Any) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


def _shown_count(n: Mapping[str, Any]) -> str:
    top = f"–{_num(n['max'])}" if n.get("max") is not None else ""
    return f"{'约' if n.get('approximate') else ''}{_num(n['amount'])}{top}{n.get('unit') or ''}"


def _shown_money(n: Mapping[str, Any]) -> str:
    items = n.get("items") or []
    if not items:
        return "无"
    out = []
    for i in items:
        worth = f"（价值 {_num(i['value'])}元）" if i.get("value") is not None else ""
        out.append(f"{i['kind']} {_num(i['amount'])}{i['unit']}{worth}")
    return "、".join(out)


def shown(kind: ValueType | str | None, normalized: Any) -> str:
    """A normalised value (as :class:`docgen.extraction.Value` holds it, or its JSON) in the words a person reads:
    2019年4月23日, 2019年4月18日至4月20日, 约45人次, 资金 20,000元、图书 500册（价值 5,000元）, 1,200.

    '' when there is no normalised value (the flags say why) or the type is unknown (a record read before
    values carried one)."""
    if normalized is None or kind is None:
        return ""
    try:
        kind = ValueType(kind)
    except ValueError:
        return ""
    if kind is ValueType.DATE:
        return _shown_date(normalized)
    if kind is ValueType.COUNT and isinstance(normalized, Mapping):
        return _shown_count(normalized)
    if kind is ValueType.MONEY_GOODS and isinstance(normalized, Mapping):
        return _shown_money(normalized)
    if kind is ValueType.INTEGER and isinstance(normalized, int | float):
        return _num(normalized)
    return str(normalized)


def _with_shown(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {**value, "shown": shown(value.get("type"), value.get("normalized"))}


def with_shown(extraction: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an extraction's JSON (``Extraction.to_json``) with ``shown`` (:func:`shown`) beside every value —
    each field and each table cell — for whoever shows it to a person."""
    out = dict(extraction)
    fields = extraction.get("fields")
    if isinstance(fields, Mapping):
        out["fields"] = {k: _with_shown(v) for k, v in fields.items()}
    tables = extraction.get("tables")
    if isinstance(tables, list):
        out["tables"] = [
            {**t, "values": [[_with_shown(v) for v in row] for row in t.get("values") or []]}
            if isinstance(t, Mapping) and "values" in t
            else t
            for t in tables
        ]
    return out
