"""The taxonomies as data (R2.1, R2.2, R6.1, R6.2, R9.1, places, units, matters) and their errors."""

from __future__ import annotations

import pytest

from operator_tui.config import TAXONOMY_FILES
from operator_tui.data import read_text
from operator_tui.domain.taxonomy import TaxonomyError, parse_taxonomy

# The matters issue 2 names, and the words a matter's name may use for each. Most are literal
# (the operator types the word and finds the matter); a few are named after the service's
# everyday sub-matters (停水 for 供水, 停电 for 供电, …).
NAMED_MATTERS: dict[str, tuple[str, ...]] = {
    "供暖": ("供暖",),
    "供水": ("供水", "停水", "水质", "水费"),
    "供电": ("供电", "停电", "电费"),
    "燃气": ("燃气",),
    "物业": ("物业",),
    "噪音": ("噪音",),
    "违章建筑": ("违章建筑",),
    "劳动工资": ("劳动工资",),
    "社保": ("社保", "社会保险"),
    "医保": ("医保", "医疗保险"),
    "教育": ("教育",),
    "公交": ("公交",),
    "出租车": ("出租车",),
    "道路": ("道路",),
    "路灯": ("路灯",),
    "环境污染": ("环境污染", "大气污染", "水污染"),
    "垃圾": ("垃圾",),
    "食品安全": ("食品安全",),
    "药品": ("药品",),
    "市场价格": ("市场价格",),
    "户籍": ("户籍",),
    "企业开办与注销": ("企业开办与注销",),  # checked as 开办 and 注销 below
}


def texts() -> dict[str, str]:
    return {name: read_text(name) for name in TAXONOMY_FILES}


@pytest.fixture
def tax(rules):
    return rules.taxonomy


@pytest.mark.rule("R6.1")
def test_at_least_forty_matters(tax):
    assert len(tax.matters) >= 40


@pytest.mark.rule("R6.1")
@pytest.mark.parametrize("term", sorted(NAMED_MATTERS))
def test_every_matter_named_in_issue_2_is_there(tax, term):
    names = [m.name for m in tax.matters.values()]
    if term == "企业开办与注销":
        assert any("企业开办" in n for n in names) and any("企业注销" in n or "注销" in n for n in names), names
        return
    assert any(word in n for n in names for word in NAMED_MATTERS[term]), f"no matter for {term}: {names}"


@pytest.mark.rule("R6.1")
def test_the_twenty_two_named_matters(tax):
    assert len(NAMED_MATTERS) == 22


@pytest.mark.rule("R6.1")
def test_all_ten_scopes_exist_and_are_used(tax):
    assert sorted(tax.scopes) == list(range(1, 11))
    assert {m.scope for m in tax.matters.values()} == set(range(1, 11))
    assert tax.scopes[4].name == "信访" and tax.is_petition(4)
    assert [c for c in tax.scopes if tax.is_petition(c)] == [4]


@pytest.mark.rule("R2.1")
def test_appeal_types_and_confidential_ones(tax):
    assert {t.name for t in tax.appeal_types.values()} == {
        "查询",
        "咨询",
        "求助",
        "意见",
        "建议",
        "情况反映",
        "投诉",
        "举报",
    }
    assert {t.name for t in tax.appeal_types.values() if t.confidential} == {"投诉", "举报"}  # R26.1


@pytest.mark.rule("R2.2")
def test_appellant_kinds_and_vulnerable_groups(tax):
    assert {k.name for k in tax.appellant_kinds.values()} == {"自然人", "法人", "其他组织"}
    assert {v.name for v in tax.vulnerable_groups.values()} == {"未成年人", "老年人", "残疾人", "妇女", "农民工"}


@pytest.mark.rule("R6.2")
def test_channels(tax):
    names = {c.name for c in tax.channels.values()}
    for expected in ("8890热线", "12345政府热线", "民心网", "市长信箱", "走访", "省8890平台转办"):
        assert expected in names
    assert any("110" in n for n in names) and any("水电气暖" in n for n in names)


@pytest.mark.rule("R24.2")
def test_at_least_forty_units_of_every_kind(tax):
    assert len(tax.units) >= 40
    kinds = {u.kind for u in tax.units.values()}
    assert {"department", "district", "utility", "petition"} <= kinds
    utilities = " ".join(u.name for u in tax.units.values() if u.kind == "utility")
    for word in ("供水", "供电", "燃气", "热力"):
        assert word in utilities


@pytest.mark.rule("R20.4")
def test_one_petition_department(tax):
    assert tax.petition_unit in tax.units and "信访" in tax.units[tax.petition_unit].name


@pytest.mark.rule("R24.2")
def test_every_matter_routes_to_existing_units(tax):
    for m in tax.matters.values():
        assert all(u in tax.units for u in m.units), m.code
        assert m.scope in tax.scopes
    # A matter routes 属事 (its units) or 属地 (the government of the ticket's place), or both.
    unrouted = [m.code for m in tax.matters.values() if not m.units and not m.local]
    assert unrouted == []


@pytest.mark.rule("R22.1")
def test_matters_with_their_own_statutory_limit(tax):
    limits = {m.code: m.limit for m in tax.matters.values() if m.limit}
    assert limits["gov_information"].unit == "workdays" and limits["gov_information"].value == 20
    assert limits["petition"].unit == "days" and limits["petition"].value == 60
    assert all(lim.source for lim in limits.values()), "a statutory limit cites its law"


@pytest.mark.rule("R18.1")
def test_anshan_places(tax):
    names = {p.name for p in tax.places.values() if p.parent is None}
    for place in ("铁东区", "铁西区", "立山区", "千山区", "海城市", "台安县", "岫岩满族自治县"):
        assert place in names
    assert any(p.kind == "development_zone" for p in tax.places.values())
    assert any(p.kind == "county_city" for p in tax.places.values())


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize("district", ["tiedong", "tiexi", "lishan", "qianshan"])
def test_streets_for_the_four_urban_districts(tax, district):
    streets = [p for p in tax.places.values() if p.parent == district]
    assert len(streets) >= 5
    assert all(p.kind == "street" and p.code == f"{district}.{p.name}" for p in streets)
    assert tax.district_of(streets[0].code) == district
    gov = tax.district_government(streets[0].code)
    assert gov is not None and tax.units[gov].place == district


@pytest.mark.rule("R18.1")
def test_every_district_level_place_has_its_government(tax):
    for p in tax.places.values():
        if p.parent is None:
            assert tax.district_government(p.code) is not None, p.code
    assert tax.district_government("atlantis") is None


@pytest.mark.rule("R19.1")
def test_resolve_accepts_codes_and_names(tax):
    assert tax.resolve("places", "铁东区") == "tiedong"
    assert tax.resolve("places", "tiedong.站前街道") == "tiedong.站前街道"
    assert tax.resolve("appeal_types", "投诉") == "complaint"
    assert tax.resolve("scopes", "4") == 4 and tax.resolve("scopes", 4) == 4
    assert tax.resolve("matters", "不存在的事项") is None


# --- broken data --------------------------------------------------------------------------------


def broken(file: str, old: str, new: str) -> dict[str, str]:
    data = texts()
    assert old in data[file], f"fixture text not found in {file}"
    data[file] = data[file].replace(old, new, 1)
    return data


def raises(data: dict[str, str], *parts: str) -> str:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(data)
    message = str(info.value)
    for part in parts:
        assert part in message, message
    return message


@pytest.mark.rule("R6.1")
def test_packaged_data_parses():
    tax = parse_taxonomy(texts())
    assert tax.petition_unit == "city_petition"


@pytest.mark.rule("R6.1")
def test_unknown_unit_in_a_matter_names_file_and_matter():
    data = broken("matters.toml", 'units = ["heat_group", "city_housing"]', 'units = ["heat_group", "ghost_bureau"]')
    raises(data, "matters.toml", "heating_temperature", "ghost_bureau")


@pytest.mark.rule("R6.1")
def test_duplicate_unit_code_names_file_and_entry():
    data = texts()
    data["units.toml"] += '\n[[unit]]\ncode = "city_housing"\nname = "又一个住建局"\nkind = "department"\n'
    raises(data, "units.toml", "city_housing", "twice")


@pytest.mark.rule("R6.1")
def test_duplicate_matter_code_names_file_and_entry():
    data = texts()
    data["matters.toml"] += '\n[[matter]]\ncode = "garbage"\nname = "垃圾"\nscope = 10\nunits = []\n'
    raises(data, "matters.toml", "garbage", "twice")


@pytest.mark.rule("R6.1")
@pytest.mark.parametrize("file", TAXONOMY_FILES)
def test_bad_toml_names_the_file(file):
    data = texts()
    data[file] += "\n[[broken\n"
    raises(data, file, "TOML")


@pytest.mark.rule("R6.1")
@pytest.mark.parametrize(
    "file, old, new, parts",
    [
        (
            "matters.toml",
            'code = "taxi"\nname = "出租车"\nscope = 3',
            'code = "taxi"\nname = "出租车"\nscope = 11',
            ["taxi", "scope"],
        ),
        ("matters.toml", 'code = "taxi"\nname = "出租车"', 'code = "taxi"\nname = ""', ["taxi", "name"]),
        (
            "matters.toml",
            'limit = { unit = "days", value = 60',
            'limit = { unit = "fortnights", value = 60',
            ["petition", "limit"],
        ),
        (
            "matters.toml",
            'limit = { unit = "workdays", value = 20',
            'limit = { unit = "workdays", value = -20',
            ["gov_information", "limit"],
        ),
        (
            "units.toml",
            'code = "city_ecology"\nname = "市生态环境局"\nkind = "department"',
            'code = "city_ecology"\nname = "市生态环境局"\nkind = "ministry"',
            ["city_ecology", "kind"],
        ),
        ("units.toml", 'place = "tiedong"', 'place = "atlantis"', ["gov_tiedong", "atlantis"]),
        ("units.toml", 'kind = "petition"', 'kind = "department"', ["petition"]),
        (
            "places.toml",
            'code = "taian"\nname = "台安县"',
            'code = "taian"\nname = "台安县"\nstreets = "全部"',
            ["taian", "streets"],
        ),
        ("scopes.toml", "code = 10", 'code = "ten"', ["scope", "code"]),
        ("appeal_types.toml", 'code = "query"', 'code = ""', ["appeal_types.toml"]),
    ],
)
def test_broken_entries_name_file_and_entry(file, old, new, parts):
    raises(broken(file, old, new), file, *parts)


@pytest.mark.rule("R6.1")
def test_missing_file_is_named():
    data = texts()
    del data["places.toml"]
    raises(data, "places.toml", "missing")


@pytest.mark.rule("R6.1")
def test_empty_file_is_named():
    data = texts()
    data["channels.toml"] = "# nothing here\n"
    raises(data, "channels.toml", "[[channel]]")
