"""R20.3 / issue 13, round 4: road danger now, weather still doing harm, children hurt or shut away.

tests/data/triage_tuning6.jsonl was written without looking at any hold-out and committed before
the rules of this round; the rules were then tuned on it, so its figures here guard what was reached,
not an honest estimate (that is the hold-outs'). The sentences below are new, written for these
tests; none is hold-out text.

Labelling follows R20.3 as the second hold-out reads it: a crash or a danger on the road now is 122
(a drunk or wild driver also 110, a burning car also 119); floods, landslides, storms, snow and ice
damage and large gas leaks are 应急; 119 for anyone who must be got out; 120 for someone hurt or
unresponsive.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operator_tui.domain.triage import TARGETS
from operator_tui.triage_rules import load_triage_rules
from tests.triage_sets import assert_apart_from_holdouts, figures, referrals
from tests.triage_sets import load as _load

pytestmark = pytest.mark.rule("R20.3")

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
TUNING6 = DATA / "triage_tuning6.jsonl"


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


def test_the_sixth_set_leans_on_the_weak_kinds_and_has_innocent_counterparts():
    calls = _load(TUNING6)
    assert len(calls) >= 200
    assert all(c["id"] == f"t6-{n:04d}" for n, c in enumerate(calls, 1))
    assert all(c["expect"] == [t for t in TARGETS if t in c["expect"]] for c in calls)  # sorted, known codes
    emergencies = [c for c in calls if c["expect"]]
    assert len(emergencies) >= 120
    assert {"traffic", "disaster", "child_abuse", "rescue", "gas"} <= {c["kind"] for c in emergencies}
    assert sum("122" in c["expect"] for c in calls) >= 30
    ordinary = [c for c in calls if not c["expect"]]
    assert len(ordinary) >= 60
    assert {"drill", "hypothetical", "rumour", "fiction", "complaint", "negation"} <= {c["kind"] for c in ordinary}


def test_the_sixth_set_shares_no_text_with_any_hold_out():
    # Texts are compared as sets; a failure names tuning ids only, never a hold-out's call.
    mine = {c["text"]: c["id"] for c in _load(TUNING6)}
    assert_apart_from_holdouts(mine, {"triage_holdout.jsonl", "triage_holdout2.jsonl"})


def test_round_four_figures_on_the_sixth_set(rules):
    recall, alarms, misses, false_alarms = figures(_load(TUNING6), rules)
    assert recall >= 0.98, misses
    assert alarms <= 0.02, false_alarms


def test_the_model_is_trained_on_the_sixth_set_and_never_on_a_hold_out():
    model = json.loads((ROOT / "operator_tui" / "data" / "triage_model.json").read_text(encoding="utf-8"))
    assert "tests/data/triage_tuning6.jsonl" in model["trained_on"]
    assert not [p for p in model["trained_on"] if "holdout" in p]


@pytest.mark.parametrize(
    "text, expected",
    [
        # road danger now: 122, and 110 for the driver, 119 for a fire, 120 for the hurt
        ("有台黑色越野车在滨河路上开得歪歪扭扭的，压着线走，司机像是喝醉了", {"122", "110"}),
        ("一个醉醺醺的小伙子开着摩托在市场门口来回窜，谁拦都不好使", {"122", "110"}),
        ("收费站出口那有台小货车冒黑烟了，就停在道上，司机跑下来了", {"119", "122"}),
        ("下坡的时候那台拉砖的车刹车失灵了，一头扎进路边沟里", {"122"}),
        ("我坐的出租车跟一台公交在桥头顶上了，车头瘪了一大块", {"122"}),
        ("送快递的让一台拐弯的车给挂倒了，捂着腿坐地上起不来", {"122", "120"}),
        ("路口两台车顶牛了，谁也不让谁，车都堵死了", {"122"}),
        ("二环那出事故了，一台车四轮朝天", {"122"}),
        ("大半夜的有台车停在快速路当间，没开灯，刚才差点撞上", {"122"}),
        ("开渣土车那个司机一看就是喝了酒，车在道上打晃", {"122", "110"}),
        # children beaten, marked or shut away
        ("对门那家拿衣架子抽孩子，孩子喊救救我，还在打", {"110"}),
        ("我看见楼下的小孩脸上青一块紫一块的，她爸喝完酒就拽着她头发往墙上撞", {"110", "120"}),
        ("那家人出门打工把七岁的闺女锁仓房里了，孩子饿得直哭", {"110"}),
        ("楼上一直打孩子，打得孩子嗷嗷叫，后来就没声了", {"110", "120"}),
        # rescues
        ("我儿子的脚让扶梯给卷进去了，拔不出来，快来人", {"119"}),
        ("我爸下井修水泵，半天没上来，喊他也不答应", {"119"}),
        ("河里起水了，把俩钓鱼的围在河心那块沙包上了", {"119"}),
        ("冰面上有人走到中间冰嘎嘎响，他吓得趴那不敢动", {"119"}),
        # weather and water doing harm now
        ("从昨天后半夜开始下冻雨，电线都压断了好几根，现在还在下", {"应急"}),
        ("大雪封门了，屯里好几户老人出不去，柴火也快烧没了", {"应急"}),
        ("雨太大了，山根底下那条路让水冲断了，对面屯子出不来了", {"应急"}),
        ("水都漫到炕上了，我和老伴爬到柜子上了", {"应急", "119"}),
        ("连着下了三天雨，屯子后头那个山坡往下溜土", {"应急"}),
        ("雪太大了，村里有个老房子房盖压塌了，里头住着个老太太", {"应急", "119"}),
        ("冰雹砸的，车窗全碎了，我躲车里不敢出去", {"应急"}),
        # a blade drawn; part of a structure named after the verb; a bridge that broke
        ("那男的掏出一把匕首比划，说谁过来捅谁", {"110", "120"}),
        ("楼梯间墙体开裂，今天掉下来一大块水泥板，砸在台阶上", {"应急"}),
        ("桥面突然断了一截，有台车掉下去了", {"应急", "119"}),
        # a large gas leak is also for the emergency departments
        ("修路的把燃气主管道挖断了，呼呼往外喷，整条街都是煤气味", {"119", "应急"}),
    ],
)
def test_round_four_frames_raise_the_banner(rules, text, expected):
    assert expected <= referrals(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        # the same words, innocent: standing complaints, questions, hearsay, fiction, filming
        "我们小区后门那条道晚上老有人飙车，能不能装个减速带",
        "醉驾举报有没有奖金，我想问问流程",
        "我老公喝多了，车扔在饭店门口了，明天能不能挪",
        "那个短剧里演司机喝醉了开车横冲直撞，太不像话了",
        "我跟一台车刮了一下，前天的事，对方保险公司一直不赔",
        "老师拿戒尺打学生手心这事合不合规，我就是咨询一下",
        "万一孩子被锁在家里出不来，物业能帮忙开门吗",
        "孩子写完作业不哭了，就是不爱说话，想问问心理咨询在哪",
        "业主群里说河堤要冲垮了，是不是瞎传的",
        "网上传咱市要下特大暴雪，能封路，属实吗",
        "电视台在屯子里拍山洪的戏，拉了好多水管子，村民都围着看",
        "暖气管子漏了，燃气公司也不管",
        "一条街都是烧烤味，油烟太大了",
        "真要发大水了，我们这屯子连个撤的道都没有",
        "从昨天开始下雪，路上滑，公交能不能早点出车",
        "被门夹了一下手，不严重，就是想投诉门禁太快",
        "后山那个坡总往下溜土，能不能修个挡墙",
        "那台僵尸车停在路中间好几天了，没人挪",
        "单位出了安全事故，想问问工伤怎么认定",
        "我的车让冰雹砸出好几个坑，保险给不给赔",
        "我爸喝了酒非要开车，钥匙让我藏起来了",
        "两口子为了这事顶牛，谁也不让谁",
        "村口那座桥的护栏都锈断了，能不能换一换",
    ],
)
def test_innocent_counterparts_stay_quiet(rules, text):
    assert referrals(text, rules) == set()
