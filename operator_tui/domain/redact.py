"""Personal data out of free text, for the cases the public page publishes (R37.1, 第三十七条).

A typical case is a ticket's own words made public, so what a caller said about themselves or
others must go: names, phone numbers, 身份证 numbers, plate numbers (车牌), addresses and house
numbers. Two kinds of evidence are used:

- What the ticket itself knows (`Known`: the appellant's name, phone and address). These are
  found however they were written: digits full-width or as Chinese numerals (一三九…, 幺), with
  spaces or dashes between them, a name with spaces or dots between its characters, the surname
  with an honorific (王先生) or the given name alone.
- Patterns that hold for anyone: long digit runs (phones, ID and card numbers), plates, house
  numbers (3号楼2单元301室, 1-2-301), residential compounds (幸福小区), and names after a cue
  (我叫…, 邻居…) or before an honorific (李女士).

A name said with no cue at all cannot be told from other words by a pattern: that is why a
person reviews the redacted text before a case is published (server_stub/public/cases.py).

Pure: no I/O, no clock. The result keeps what was removed only as kinds (never the data), so it
can be shown and logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What replaces each kind (on the page a reader sees that something was there).
NAME, SURNAME, PHONE, ID_NUMBER, PLATE, ADDRESS, NUMBER, COMPOUND = (
    "某某",
    "某",
    "[电话]",
    "[身份证号]",
    "[车牌号]",
    "[门牌号]",
    "[号码]",
    "某小区",
)

_DIGITS = {
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **dict(zip("〇零一二三四五六七八九", "00123456789")),
    "幺": "1",
    "两": "2",
}
_LETTERS = {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)} | {chr(0xFF41 + i): chr(0x41 + i) for i in range(26)}
_SEP = r"[\s\-‐–—·.．・_/、,，]*"
# Common single-character surnames (a name after a cue or before an honorific starts with one).
# 区, 小 and other characters that often start ordinary words are left out on purpose.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "呼延",
    "端木",
    "南宫",
    "独孤",
)
_HONORIFICS = (
    "先生",
    "女士",
    "小姐",
    "师傅",
    "大爷",
    "大妈",
    "大娘",
    "阿姨",
    "大姐",
    "大哥",
    "老师",
    "经理",
    "主任",
    "老太",
    "奶奶",
    "爷爷",
    "叔叔",
    "同志",
    "老板",
)
_CUES = (
    "我叫",
    "名叫",
    "叫做",
    "姓名",
    "联系人",
    "户主",
    "业主",
    "本人",
    "家属",
    "邻居",
    "儿子",
    "女儿",
    "丈夫",
    "妻子",
    "老伴",
    "父亲",
    "母亲",
    "我是",
    "署名",
    "签名",
    "车主",
    "房东",
    "租户",
)
_HAN = r"[\u4e00-\u9fff]"
_SURNAME = "(?:" + "|".join(_COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_HOUSE_UNITS = "号楼|号院|号门|栋|幢|座|单元|层|楼|室|号|户|弄|排|组"
_COMPOUND_SUFFIXES = "小区|花园|家园|嘉园|公寓|大厦|新村|新城|雅苑|名苑|华庭|庄园|家属楼|宿舍"
# a compound's name: Han characters, but not the little words before it (我住在…小区)
_NAME_CHAR = r"(?:(?![在住的是了我你他她它和与到从于对把被里内外边个那这们家])[\u4e00-\u9fff])"

_DATE = r"(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}(?!\d)"  # 2026-10-01 is a date, not a number to hide
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 身份证: 17 digits and a check digit or X, however spaced (before the generic digit run)
    (re.compile(rf"(?<!\d)\d(?:{_SEP}\d){{16}}{_SEP}[\dX](?![\dX])"), ID_NUMBER),
    (re.compile(rf"(?<!\d)1{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)"), PHONE),
    # any other run of seven digits or more: landlines (0412-1234567), cards, account numbers
    (re.compile(rf"(?<!\d)(?!{_DATE})\d(?:{_SEP}\d){{6,}}(?!\d)"), NUMBER),
    (re.compile(rf"[{_PLATE_PROVINCES}]\s*[A-HJ-NP-Z][\s·.•]*[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]"), PLATE),
    # house numbers: 3号楼2单元301室, 12栋 3-501, 1-2-301 (a date such as 2026-10-01 is left alone)
    (re.compile(rf"\d+\s*(?:{_HOUSE_UNITS})(?:[\s\-]*\d+\s*(?:{_HOUSE_UNITS})?)*"), ADDRESS),
    (re.compile(r"(?<![\d\-])(?!(?:19|20)\d\d-\d{1,2}-\d{1,2}(?![\d\-]))\d{1,4}(?:-\d{1,4}){2,3}(?![\d\-])"), ADDRESS),
    (re.compile(rf"{_NAME_CHAR}{{2,6}}?(?:{_COMPOUND_SUFFIXES})"), COMPOUND),
)
_HONORIFIC_NAME = re.compile(rf"{_SURNAME}(?={'|'.join(_HONORIFICS)})")
_CUED_NAME = re.compile(rf"(?:{'|'.join(_CUES)})[:：\s]*({_SURNAME}{_HAN}{{1,2}})")


@dataclass(frozen=True)
class Known:
    """What the ticket itself records about the appellant (any may be empty)."""

    name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]  # what was removed, by kind, in order found (never the data itself)


def normalise(text: str) -> str:
    """The same length as `text`, one character for one: full-width and Chinese digits as ASCII
    digits, full-width letters and lower-case plate letters as upper case. Matching runs on this,
    replacing runs on the original positions."""
    return "".join(_DIGITS.get(c) or _LETTERS.get(c) or (c.upper() if "a" <= c <= "z" else c) for c in text)


def _spaced(chars: str) -> str:
    """A regex for `chars` with any separators between them (王 建 国, 1 3 9-1234…)."""
    return _SEP.join(re.escape(c) for c in chars)


def _known_patterns(known: Known) -> list[tuple[re.Pattern[str], str]]:
    out: list[tuple[re.Pattern[str], str]] = []
    digits = "".join(c for c in normalise(known.phone) if c.isdigit())
    if len(digits) >= 5:
        out.append((re.compile(rf"(?<!\d){_spaced(digits)}(?!\d)"), PHONE))
        if len(digits) >= 8:  # "my number ends in 5678 9012…": the last eight said alone
            out.append((re.compile(rf"(?<!\d){_spaced(digits[-8:])}(?!\d)"), PHONE))
    name = "".join(normalise(known.name).split())
    if len(name) >= 2:
        out.append((re.compile(_spaced(name)), NAME))
        surname = next((s for s in _COMPOUND_SURNAMES if name.startswith(s)), name[0])
        given = name[len(surname) :]
        if len(given) >= 2:  # a one-character given name is too common a character to remove
            out.append((re.compile(_spaced(given)), NAME))
        out.append((re.compile(rf"{re.escape(surname)}(?=\s*(?:{'|'.join(_HONORIFICS)}))"), SURNAME))
    address = "".join(normalise(known.address).split())
    if len(address) >= 4:
        out.append((re.compile(_spaced(address)), ADDRESS))
        # the private part said alone: the compound and anything with a number in it
        for part in re.findall(
            rf"{_NAME_CHAR}{{2,6}}?(?:{_COMPOUND_SUFFIXES})|{_NAME_CHAR}{{1,6}}(?:路|街|巷|胡同)\d+号", address
        ):
            out.append((re.compile(_spaced(part)), ADDRESS))
    return out


def redact(text: str, known: Known = Known()) -> Redacted:
    """`text` with personal data replaced (see the module docstring)."""
    spans: list[tuple[int, int, str]] = []
    norm = normalise(text)
    for pattern, kind in (*_known_patterns(known), *_PATTERNS):
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(norm) if m.end() > m.start()]
    spans += [(m.start(), m.end(), SURNAME) for m in _HONORIFIC_NAME.finditer(norm)]
    spans += [(m.start(1), m.end(1), NAME) for m in _CUED_NAME.finditer(norm)]
    return _apply(text, spans)


def _apply(text: str, spans: list[tuple[int, int, str]]) -> Redacted:
    """Replace the spans, the longest first where they overlap (one replacement per region)."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and start < chosen[-1][1]:
            last = chosen[-1]
            chosen[-1] = (last[0], max(last[1], end), last[2])  # merge: never leave a tail uncovered
            continue
        chosen.append((start, end, kind))
    out, at = [], 0
    for start, end, kind in chosen:
        out += [text[at:start], kind]
        at = end
    out.append(text[at:])
    return Redacted("".join(out), tuple(k for _, _, k in chosen))


def leaks(text: str, known: Known) -> tuple[str, ...]:
    """The kinds of the ticket's own personal data still in `text` (a reviewer's edit is checked
    with this before it is published)."""
    norm = normalise(text)
    return tuple(dict.fromkeys(kind for pattern, kind in _known_patterns(known) if pattern.search(norm)))
