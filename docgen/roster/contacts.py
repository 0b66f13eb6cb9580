"""Contact cells as clerks fill them: a name, a title, landlines and mobiles, on one line or several.

    parse_contacts("罗永红（副校长）\\n028-88346411\\n15202670357")
    → (Person(name="罗永红", title="副校长", phones=("028-88346411", "15202670357")),)

Pure functions. Every number written in the cell is kept as written (a wrong one too: :attr:`Person.bad`
lists it, and the caller reports it as a ``phone`` warning), so nothing a clerk typed is silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docgen.values import is_phone

TITLE_ENDINGS = ("校长", "书记", "主任", "园长", "主席", "组长", "干事", "老师", "教师", "科长", "处长", "局长",
                 "会计", "专干", "校医", "联络员", "负责人", "部长", "委员", "秘书")  # fmt: skip
"""A word ending so is a 职务 (副校长, 教导主任, 工会主席, 副园长 …), not a person's name."""

# A phone candidate: digits with the hyphens, brackets and extension words numbers are written with. The
# area code may be cut from the number by a line break or a space after its hyphen (``0772- 8628520``).
_PHONE = re.compile(
    r"(?:\+?86[-\s]?)?1[3-9]\d[ \u3000-]\d{4}[ \u3000-]\d{4}(?!\d)|"  # a mobile written 138 1234 5678
    r"(?:\+?86[-\s]?)?(?:[(（]\s*0\d{2,3}\s*[)）]\s*)?\d[\d\-－—]*\d(?:\s*[-－—]\s*\d+)*"
    r"(?:\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6})?",
    re.IGNORECASE,
)
_MIN_DIGITS = 5  # fewer digits is not a phone number (a 2 in 第2组); it stays in the text
# Labels written before a number: 办公室：028-…, 手机：139…, Tel: …
_LABEL = re.compile(
    r"(?:办公室|办公电话|办公|手机号码|手机号|手机|移动电话|电话号码|联系电话|电话|座机|固话|tel|mobile)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s\u3000\u00a0、，,；;/／:：]+")
_BRACKETED = re.compile(r"^(?P<name>[^（(]*)[（(](?P<inner>[^）)]*)[）)](?P<rest>.*)$")


NOTHING = frozenset({"无", "暂无", "空", "（空）", "(空)", "—", "-", "－", "/", "／", "——"})
"""What a clerk writes in a contact cell that has no contact."""


@dataclass(frozen=True)
class Person:
    """One person of a contact cell: name (may be empty: a phone without a name), title, phones as written."""

    name: str = ""
    title: str = ""
    phones: tuple[str, ...] = ()
    bad: tuple[str, ...] = ()  # phones that are neither a mobile nor a landline (kept in ``phones`` too)


def is_title(word: str) -> bool:
    """``副校长``, ``教导主任``, ``工会主席`` → True; a person's name → False."""
    return bool(word) and len(word) <= 8 and word.endswith(TITLE_ENDINGS)


def _number(text: str) -> str:
    """A phone as written, with the spaces a line break or a justified cell put inside it removed."""
    return re.sub(r"\s+", "", text).replace("－", "-").replace("—", "-")


def find_phones(text: str) -> tuple[list[tuple[int, int, str]], str]:
    """Every phone candidate of ``text`` as (start, end, number as written), and the text without them (and
    without the labels written before them)."""
    found: list[tuple[int, int, str]] = []
    rest: list[str] = []
    last = 0
    for match in _PHONE.finditer(text):
        raw = match.group(0)
        if sum(ch.isdigit() for ch in raw) < _MIN_DIGITS:
            continue
        before = _LABEL.sub("", text[last : match.start()])
        rest.append(before)
        found.append((match.start(), match.end(), _number(raw)))
        rest.append(" ")
        last = match.end()
    rest.append(text[last:])
    return found, "".join(rest)


def parse_contacts(text: str) -> tuple[Person, ...]:
    """The people a contact cell names, each with title and phones (see the module docstring).

    Words and numbers are read in order, in either of the two orders clerks write them, told by what comes
    first (titles aside):

    * **name first** (``王小军 139…、李光辉 138…``, ``罗永红（副校长）⏎028-…``): a number or title after a name is
      that person's; any other word starts the next person;
    * **number first** (``139… 王五``, ``139… 王五、138… 李四``, ``0772-… 139… 王五（校长）``): the numbers and
      titles written before a name are that person's; numbers after the last name are the last person's.

    A title before the first name is that name's (``校长 王五 139…``). A cell of numbers without any name is one
    person without a name (``Person(name="")``): the number is kept.
    """
    if text.strip() in NOTHING:
        return ()
    tokens: list[tuple[str, str]] = []
    last = 0
    for start, end, number in find_phones(text)[0]:
        tokens += [("text", w) for w in _words(_LABEL.sub("", text[last:start]))]
        tokens.append(("phone", number))
        last = end
    tokens += [("text", w) for w in _words(text[last:])]
    words = [(kind, *_name_and_title(word)) if kind == "text" else (kind, "", word) for kind, word in tokens]
    first = next((kind for kind, name, _ in words if kind == "phone" or name), "text")
    number_first = first == "phone"
    people: list[tuple[str, list[str], list[str]]] = []  # name, titles, phones
    pending_titles: list[str] = []
    pending_phones: list[str] = []
    for kind, name, other in words:
        if kind == "phone":
            (pending_phones if number_first or not people else people[-1][2]).append(other)
        elif not name:
            (pending_titles if number_first or not people else people[-1][1]).append(other)
        else:
            people.append((name, [*pending_titles, *([other] if other else [])], list(pending_phones)))
            pending_titles, pending_phones = [], []
    if people:
        people[-1][1].extend(pending_titles)
        people[-1][2].extend(pending_phones)
    elif pending_titles or pending_phones:
        people.append(("", pending_titles, pending_phones))
    return tuple(Person(name, "、".join(titles), tuple(phones), tuple(x for x in phones if not is_phone(x)))
                 for name, titles, phones in people)  # fmt: skip


def _name_and_title(word: str) -> tuple[str, str]:
    """A word of a contact cell as (name, title): ``罗永红（副校长）`` → (罗永红, 副校长); ``副校长`` → ("", 副校长);
    ``（王五）`` (a name in brackets after a number) → (王五, "")."""
    if is_title(word):
        return "", word
    bracketed = _BRACKETED.match(word)
    if bracketed is None:
        return word, ""
    name, inner = bracketed.group("name").strip(), bracketed.group("inner").strip()
    if not name:
        return ("", inner) if is_title(inner) else (inner, "")
    return name, inner


def _words(text: str) -> list[str]:
    """Words of a contact cell's text: split at spaces, commas, 、, slashes and colons (not inside brackets)."""
    words: list[str] = []
    for part in re.split(r"([（(][^）)]*[）)])", text):
        if not part:
            continue
        if part[0] in "（(" and words:
            words[-1] += part  # 罗永红（副校长）: the bracket belongs to the word before it
            continue
        words += [w for w in _SEPARATORS.split(part) if w]
    return words


def parse_phones(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The numbers of a phone cell (``0772-2815945、13812345678``) as written, and the bad ones among them.

    Text that is not a number (a name written in the phone column) is not a phone: use :func:`parse_contacts`
    for cells that may hold both."""
    found, _rest = find_phones(text)
    phones = tuple(number for _s, _e, number in found)
    leftover = re.sub(r"[\s、，,；;/／:：]+", "", _LABEL.sub("", _rest))
    bad = [p for p in phones if not is_phone(p)]
    if leftover and re.fullmatch(r"[\d\-()（）+]+", leftover):
        bad.append(leftover)  # digits too few to be a number at all
        phones = (*phones, leftover)
    return phones, tuple(bad)
