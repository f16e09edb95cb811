"""R20.3 / issue 13, round 6: fewer false alarms from the rules' own cues.

Round 5 left most false alarms on the blind sets 7a/7b to the rules, not the model: hearsay with
alarming words, a worry that begins before the match does, advice, likenesses, product and
enforcement complaints. Each guard below has a sentence that must stay quiet and an urgent
counterpart, close in wording, that must still raise the banner. All sentences are new, written
for these tests; none is text of a hold-out or of a tuning set.
"""

from __future__ import annotations

import dataclasses

import pytest

from operator_tui.domain.triage import triage
from operator_tui.triage_rules import load_triage_rules

pytestmark = pytest.mark.rule("R20.3")


@pytest.fixture(scope="module")
def rules():
    """The packaged rules without the second opinion: these guards are the rules' own."""
    return dataclasses.replace(load_triage_rules(), model=None)


# (guard, quiet sentence, urgent counterpart, a referral the counterpart needs)
PAIRS = [
    (
        "a worry inside a long match (the match starts at 炉子, the worry after the comma)",
        "我爸在乡下自己烧炉子，我怕他煤烟中毒，想给他买个报警器",
        "我爸在乡下自己烧炉子，刚才打电话说头晕恶心，现在叫不醒了",
        "120",
    ),
    (
        "advice inside a long match (咋防)",
        "冬天用炭盆取暖咋防一氧化碳中毒",
        "冬天用炭盆取暖，屋里俩人一氧化碳中毒了，叫不醒",
        "120",
    ),
    (
        "a denial inside a long match (不是)",
        "天然气公司来人查过说不是漏气，是表的问题，我想问表谁来换",
        "天然气管子漏气了，满屋都是味，我们先跑出来了",
        "119",
    ),
    (
        "hearsay at the head of the sentence (听X说)",
        "听我同事说开发区那边有个仓库爆炸了，是真的吗，离我们小区远不远",
        "开发区那边有个仓库刚爆炸了，我在楼上看见冒大火了",
        "119",
    ),
    (
        "hearsay (听说) about a road",
        "听说大桥上出车祸了，我想问问现在能不能过",
        "大桥上刚出车祸了，两台车顶一块了，司机卡在里边出不来",
        "122",
    ),
    (
        "hearsay undone by a present-time word",
        None,
        "听说楼下着火了，现在烟都顺着门缝进我屋里了",
        "119",
    ),
    (
        "那起 is a measure word, not 'since' (the past still silences it)",
        "前天那起车祸早就处理完了，可路边的碎玻璃一直没人收拾",
        "前面路口刚出车祸了，有人躺地上",
        "122",
    ),
    (
        "water that smells (水有点…味) is a water-quality matter",
        "家里的水有点臭鸡蛋味，烧开了也有，想问问是不是管网的事",
        "家里厨房有股臭鸡蛋味，像是煤气漏了",
        "119",
    ),
    (
        "came round (已经醒了) is resolved",
        "刚才报的那个老太太晕倒了，现在已经醒了，家里人接走了",
        "公交站有个老太太晕倒了，叫也不醒",
        "120",
    ),
    (
        "a question of which first (是先…还是) is asked, not reported",
        "碰上有人触电是先拉闸还是先拽人，我是社区网格员想学学",
        "有人触电了，还在电线上，快来人",
        "120",
    ),
    (
        "a trigger right after 一 is 'whenever'",
        "对面饭店那个烟囱一冒烟就往我家窗户里灌，想问问归谁管",
        "对面饭店烟囱那块冒烟了，还有火苗子",
        "119",
    ),
    (
        "a likeness (跟…似的) is no event",
        "楼上天天半夜拖椅子，咣咣的，跟打架似的",
        "楼上两口子打架呢，咣咣的，女的一直喊救命",
        "110",
    ),
    (
        "a product complaint (商家不给退)",
        "新买的电热毯用了一宿就冒火星子，商家不给退",
        "电热毯冒火星子了，被子都着了",
        "119",
    ),
    (
        "an enforcement complaint (环保不来查)",
        "砖厂那个烟囱一直冒黑烟，呛得人咳嗽，环保也不来查",
        "砖厂车间着火了，冒黑烟，里边还有人没出来",
        "119",
    ),
    (
        "a child taken under 要是 at the head of its clause",
        "要是孩子在校门口被陌生人领走，学校管不管？我就问问",
        "孩子在校门口被陌生人领走了，老师说不认识那人",
        "110",
    ),
    (
        "a threat under 万一 at the head of its clause",
        "万一我被人跟踪了，打这个电话能派人来接吗",
        "有个男的跟踪我好几条街了，我现在躲在超市里",
        "110",
    ),
    (
        "'will' right before the word (会中毒) is a hypothetical",
        "网上查的说发芽的土豆吃了会中毒，想问问市场卖这个归谁管",
        "我家孩子吃了发芽的土豆，现在中毒了，一直吐",
        "120",
    ),
    (
        "保险柜 is no insurance (the service cue must not silence a break-in)",
        None,
        "单位的保险柜让人给撬了，我刚上班发现的",
        "110",
    ),
]


@pytest.mark.parametrize(("guard", "quiet", "urgent", "target"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_guard_silences_its_sentence_and_not_its_urgent_counterpart(rules, guard, quiet, urgent, target):
    if quiet is not None:
        result = triage(quiet, rules)
        assert result.referrals == (), f"{guard}: {quiet} -> {[(m.target, m.phrase) for m in result.matches]}"
    assert target in triage(urgent, rules).referrals, f"{guard}: {urgent} lost {target}"


def test_negation_inside_a_match_stays_part_of_the_event(rules):
    """Only worries, questions, hearsay, advice and plain denials are read inside a match: a
    negation that is the event itself (半天没上来) still calls for help."""
    assert "119" in triage("我老伴下菜窖拿土豆，半天没上来，喊也不答应", rules).referrals
