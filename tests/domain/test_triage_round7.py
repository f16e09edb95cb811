"""R20.3 / issue 13, round 7: fewer false alarms from the rules, and the weak kinds (road dangers,
storms and floods, a child taken, stalking turned physical) in the operator's words and the caller's.

Tuned on the three sets written blind for this round (tests/data/triage_tuning8a/8b/8c.jsonl),
judged by the rules alone, never on a hold-out. Each guard below has a sentence that must stay
quiet and an urgent counterpart, close in wording, that must still raise the banner; each new
frame has an urgent sentence and an innocent twin. All sentences are new, written for these tests;
none is text of a hold-out or of a tuning set.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from operator_tui.domain.triage import triage
from operator_tui.triage_rules import load_triage_rules
from tests.triage_sets import assert_apart_from_holdouts
from tests.triage_sets import load as _load

pytestmark = pytest.mark.rule("R20.3")

DATA = Path(__file__).parents[2] / "tests" / "data"
ROUND7 = ("triage_tuning8a.jsonl", "triage_tuning8b.jsonl", "triage_tuning8c.jsonl")


@pytest.fixture(scope="module")
def rules():
    """The packaged rules without the second opinion: these guards and frames are the rules' own."""
    return dataclasses.replace(load_triage_rules(), model=None)


# (guard, quiet sentence, urgent counterpart, a referral the counterpart needs)
GUARDS = [
    (
        "fiction named, then 'in it' (游戏，里面…)",
        "我弟弟玩那个飞车游戏，里面老是逆行撞车，我怕他学坏",
        "外环上有台面包车逆行，对面的车都在躲",
        "122",
    ),
    (
        "a named kind of show (刑侦剧)",
        "昨晚追的谍战剧，里面有人往茶里下毒，我婆婆非问这种药哪能买着",
        "我婆婆刚喝了半瓶敌敌畏，现在口吐白沫",
        "120",
    ),
    (
        "a rumour in the operator's words (网传)",
        "市民称：网传某商场地下车库有人持刀伤人，来电人询问是否属实。",
        "市民称：某商场地下车库有人持刀伤人，伤者倒地，嫌疑人仍在现场。",
        "110",
    ),
    (
        "what everyone says (都说) at the head of the sentence",
        "屯里都说东山那块要塌方，我们也不知道真假，有人来看看吗",
        "东山那块塌方了，土石把下山的道堵死了，有台车埋里了",
        "应急",
    ),
    (
        "the operator's register of something over (曾发生…已由…处理完毕)",
        "来电人反映：其单元上周曾发生煤气泄漏，已由燃气公司处理完毕，现要求恢复被拆的吊顶。",
        "来电人反映：其单元现煤气泄漏，味道很大，有老人在家。",
        "119",
    ),
    (
        "nobody hurt, in the operator's words (无人员伤亡)",
        "市民称：路口一辆货车侧翻已拖走，无人员伤亡，要求清理路面油污。",
        "市民称：路口一辆货车刚侧翻，司机被压在驾驶室里。",
        "122",
    ),
    (
        "a how-to question at the end (第一步该干啥 / 应该打哪个电话)",
        "要是电梯困人了第一步该干啥，我想给楼里老人讲讲",
        "电梯困人了，我妈在里面，卡在七楼八楼中间",
        "119",
    ),
    (
        "a look that found someone at an ordinary task (一看是…在烧纸)",
        "窗外冒烟，我跑下楼一看是有人在烧纸，跟谁反映",
        "窗外冒烟了，我跑下楼一看是一楼窗户往外蹿火苗",
        "119",
    ),
    (
        "the caller's own all-clear silences fire and smoke (没着火)",
        "厨房有股焦糊味，我转了一圈，既没冒烟也没着火，是楼上在熬糖",
        "厨房有股焦糊味，插座那冒烟了",
        "119",
    ),
    (
        "the gas company's all-clear silences gas (说不是燃气泄漏)",
        "早上闻到楼道有燃气味，燃气公司来人拿仪器一测，说不是燃气泄漏，是下水道返味",
        "早上闻到楼道有燃气味，越来越大，楼下阿姨还在开火做饭",
        "119",
    ),
    (
        "the all-clear about fire does not silence a crash",
        None,
        "两台车在桥上撞了，没着火，但是司机卡在里头出不来",
        "122",
    ),
    (
        "a likeness (像着火一样)",
        "楼下烧烤店天天傍晚油烟滚滚，像着火一样，开窗就呛",
        "楼下烧烤店后厨着火了，火苗子蹿到二楼了",
        "119",
    ),
    (
        "the past: 前一阵子 and 那事",
        "前一阵子河套里着火那事以后，烧过的草一直没人清",
        "河套里的草着火了，风一刮往村里烧过来了",
        "119",
    ),
    (
        "a common practice (是常事 / 老有人)",
        "我们那条街晚上老有人飙车，轰轰的，想让交警管管",
        "有两台车在滨河路上飙车，刚把一辆电动车刮倒了",
        "122",
    ),
    (
        "a pile driver still going (还在打桩) is no beating",
        "隔壁工地半夜两点还在打桩，震得睡不着",
        "楼下那俩人还在打，一个已经满脸是血了",
        "110",
    ),
    (
        "a drunk driver is a danger only on the road: wanting to drive is not driving",
        "我姐夫喝了酒非要开车，车钥匙让我们收了",
        "我姐夫喝了酒就开车走了，刚上的大道，你们快拦一下",
        "110",
    ),
    (
        "a question about the offence (逆行扣几分) is not a driver on the road",
        "在辅路逆行一段扣几分，罚多少钱",
        "辅路上有台车逆向行驶，速度老快了",
        "110",
    ),
    (
        "wind bending something with nobody below is a repair",
        "门市的招牌让风刮歪了，找谁给正一正",
        "大风把门市的招牌刮下来半截，在空中晃，底下是公交站",
        "应急",
    ),
    (
        "a basement that floods whenever it rains is a complaint",
        "我们楼地下室一下雨就进水，物业一直不修",
        "暴雨，我们楼地下室进水了，水到膝盖，还有人在里面搬东西",
        "应急",
    ),
    (
        "被抓了 is an arrest, not a stalker's hands",
        "以前老在校门口晃的那个男的，后来被抓了，我想问问判了没有",
        "那个天天在我单位门口守着的男的，刚才冲上来拽我胳膊往车里拖",
        "110",
    ),
]

# (frame, urgent sentence, referrals it needs, an innocent twin that stays quiet or None)
FRAMES = [
    (
        "a wrong-way driver now: 110 and 122",
        "绕城高速上有台白车逆着开，我们都靠边了",
        {"110", "122"},
        "逆行和违停哪个扣分多",
    ),
    (
        "a drunk driver now: 110 and 122",
        "对面那台车里的人喝多了还开着车在街上乱窜",
        {"110", "122"},
        "酒驾和醉驾到底有啥区别，我就问问",
    ),
    ("a driver weaving now", "前面的大货车在高速上左右晃，一会儿压线一会儿偏出去", {"122"}, None),
    ("something loose on a fast road", "快速路中间横着一块护栏板，车都急刹躲", {"122"}, None),
    ("an animal run onto a fast road", "一头驴跑到国道中间了，天黑了，车都在按喇叭", {"122"}, None),
    (
        "wind tearing a roof loose over people",
        "大风把仓库顶的铁皮掀起来了，在天上乱飞，楼下全是人",
        {"应急"},
        "去年大风把仓库顶的铁皮掀起来过，今年想提前加固，找谁批",
    ),
    (
        "flood water getting into a basement in a storm, people inside: 应急 and 119",
        "暴雨往地下车库里灌，水快到车顶了，还有两个人在里面出不来",
        {"应急", "119"},
        None,
    ),
    ("people cut off by rising water", "市民称：四名游客被上涨的河水围困在河心岛，水流很急。", {"应急"}, None),
    (
        "a roof crushed by snow, in the operator's words",
        "来电人称：其邻居家平房屋顶被雪压塌，老人在屋里。",
        {"应急"},
        None,
    ),
    ("ice falling over people", "商场门口屋檐的冰溜子刚掉下来一根，底下全是排队的人", {"应急"}, None),
    (
        "a child taken, in the operator's words",
        "市民称：其女儿（5岁）在广场被一中年男子抱走，刚刚发生。",
        {"110"},
        None,
    ),
    (
        "a storm behind a crash or a rescue adds 应急",
        "暴雪天，环城路上三台车滑到沟里了，有人卡在车里",
        {"122", "应急"},
        None,
    ),
    (
        "a drunk driver who can barely stand, getting into a car",
        "那人喝得东倒西歪的，刚上车打着火要开走",
        {"110", "122"},
        None,
    ),
    ("a load spilled across a fast road", "快速路上撒了一地钢管，后面的车都在急刹", {"122"}, None),
    ("stalking turned physical", "跟踪我好几天的那个人刚才在楼道里抓住我头发，我跑回屋了，他还在门口", {"110"}, None),
]


@pytest.mark.parametrize(("guard", "quiet", "urgent", "target"), GUARDS, ids=[g[0] for g in GUARDS])
def test_each_guard_silences_its_sentence_and_not_its_urgent_counterpart(rules, guard, quiet, urgent, target):
    if quiet is not None:
        result = triage(quiet, rules)
        assert result.referrals == (), f"{guard}: {quiet} -> {[(m.target, m.phrase) for m in result.matches]}"
    assert target in triage(urgent, rules).referrals, f"{guard}: {urgent} lost {target}"


@pytest.mark.parametrize(("frame", "urgent", "needs", "twin"), FRAMES, ids=[f[0] for f in FRAMES])
def test_each_frame_warns_and_its_innocent_twin_stays_quiet(rules, frame, urgent, needs, twin):
    got = set(triage(urgent, rules).referrals)
    assert needs <= got, f"{frame}: {urgent} -> {sorted(got)}"
    if twin is not None:
        result = triage(twin, rules)
        assert result.referrals == (), f"{frame}: {twin} -> {[(m.target, m.phrase) for m in result.matches]}"


def test_a_storm_alone_adds_nothing(rules):
    """The storm combination only sits beside an emergency another rule found."""
    assert triage("暴雪下了一宿，我们小区的路都封了，物业还不扫", rules).referrals == ()


def test_a_worry_in_one_sentence_does_not_silence_the_event_in_the_one_before(rules):
    """ "他喝了农药。我怕他不行了": the worry is about the outcome, the poisoning is now."""
    assert "120" in triage("他喝了农药。我怕他不行了", rules).referrals
    assert "120" in triage("他喝了农药，我怕他不行了", rules).referrals


def test_the_round_seven_sets_share_no_text_with_any_hold_out():
    # Texts are compared as sets; a failure names tuning ids only, never a hold-out's call.
    mine = {c["text"]: c["id"] for name in ROUND7 for c in _load(DATA / name)}
    assert len(mine) == sum(len(_load(DATA / n)) for n in ROUND7)
    assert_apart_from_holdouts(
        mine,
        {"triage_holdout.jsonl", "triage_holdout2.jsonl", "triage_holdout3.jsonl", "triage_holdout4.jsonl"},
    )


def test_combinations_give_the_same_result_whichever_order_they_stand_in(rules):
    """A combination may need what another adds (the storm adds 应急, which lets "still inside"
    add 119): they run again while they add a target, so their order in the file does not matter."""
    plain = tuple(r for r in rules.rules if not r.only_with)
    combos = tuple(r for r in rules.rules if r.only_with)
    reordered = dataclasses.replace(rules, rules=plain + combos[::-1])
    for text in (
        "暴雪，山道上一台车翻沟里了，人还在里面",
        "暴雨，立交桥底下一台车被淹了，司机爬到车顶上了",
        "高速上两台车撞了，有一台冒烟了，司机卡在里头",
    ):
        assert triage(text, rules) == triage(text, reordered), text
    assert {"119", "122", "应急"} <= set(triage("暴雪，山道上一台车翻沟里了，人还在里面", rules).referrals)
