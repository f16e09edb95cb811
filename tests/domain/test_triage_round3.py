"""R20.3 / issue 13, round 3: collapses, disasters, rescues and theft as situations, on the fifth tuning set.

tests/data/triage_tuning5.jsonl was written without looking at the frozen hold-out and committed
before the rules of this round; the rules were then tuned on it, so the figures here guard what was
reached, not an honest estimate (that is the hold-out's, in test_triage_eval.py). The sentences
below are from the tuning set or new; none is hold-out text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operator_tui.triage_rules import load_triage_rules
from tests.triage_sets import figures, referrals
from tests.triage_sets import load as _load

pytestmark = pytest.mark.rule("R20.3")

ROOT = Path(__file__).parents[2]
TUNING5 = ROOT / "tests" / "data" / "triage_tuning5.jsonl"


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


def test_the_fifth_set_leans_on_the_weak_kinds_and_has_innocent_counterparts():
    calls = _load(TUNING5)
    assert len(calls) >= 150
    assert all(c["id"] == f"t5-{n:04d}" for n, c in enumerate(calls, 1))
    kinds = [c["kind"] for c in calls if c["expect"]]
    assert len(kinds) >= 100
    assert {"collapse", "disaster", "rescue", "ice", "medical", "property", "buried"} <= set(kinds)
    assert sum(not c["expect"] for c in calls) >= 50


def test_round_three_figures_on_the_fifth_set(rules):
    recall, alarms, misses, false_alarms = figures(_load(TUNING5), rules)
    assert recall >= 0.98, misses
    assert alarms <= 0.02, false_alarms


def test_the_model_is_trained_on_the_fifth_set_and_never_on_a_hold_out():
    model = json.loads((ROOT / "operator_tui" / "data" / "triage_model.json").read_text(encoding="utf-8"))
    assert "tests/data/triage_tuning5.jsonl" in model["trained_on"]
    assert not [p for p in model["trained_on"] if "holdout" in p]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a collapse verb and a structure in the same sentence, in words no rule listed
        ("俺们家门口那条道，刚才轰的一声陷下去一大块，跟个井似的", {"应急"}),
        ("学校操场边上的挡墙裂了个大缝，一个劲往外鼓", {"应急"}),
        ("桥墩子好像让水掏空了，桥面都斜了，车还在上面跑呢", {"应急"}),
        ("施工的沟槽塌帮了，一个工人让土埋到腰了", {"应急", "119", "120"}),
        ("库房的顶子塌下去一半，货架子全倒了", {"应急"}),
        ("我在床上躺着，房顶塌下来了", {"应急"}),
        # a pit that swallowed a car, with someone still inside
        ("路口那个天坑刚才把一台出租车给吞了，司机还在里面呢", {"应急", "119"}),
        # people under what fell, or still inside
        ("后院那堵老墙整个扒拉下来了，把晾衣服的老太太埋里头了", {"应急", "119", "120"}),
        ("加油站的顶棚子塌下来了，把加油的车扣里头了", {"应急", "119"}),
        ("脚手架整个倒了，上面还有俩干活的", {"应急", "119"}),
        ("大雪把牛棚压塌了，我爸在里面喂牛，一直没出来", {"应急", "119"}),
        ("商场的天花板吊顶掉下来了，砸着顾客了", {"应急", "120"}),
        # landslides, floods and storms in any words
        ("后山下来泥了，泥汤子冲进院子", {"应急"}),
        ("泥石留把进村的道冲了", {"应急"}),
        ("下了一宿大雨，河套的水漫上来了，屯子里的道都没了", {"应急"}),
        ("大暴雨，地下通道里积水一人多深，有台车泡里头了，人在车顶上站着呢", {"应急", "119"}),
        ("刮大风把彩钢瓦掀飞了，满街乱飞，砸了好几个人", {"应急", "120"}),
        ("暴风雪刮倒了好几根电线杆子，有根杆子砸在人家房子上", {"应急"}),
        ("路上结冰了，一台大客车滑到沟里去了", {"122"}),
        # rescues
        ("俩小子在水库上溜冰，冰塌了一个，另一个趴冰上拽他", {"119"}),
        ("有个老头在烂尾楼顶上转悠半天了，好像爬不下来了", {"119"}),
        ("家里老人洗澡，卫生间门反锁，听着里面扑通一声，喊也不吱声", {"119", "120"}),
        ("我们在山里迷了路，天黑了，手机快没电了", {"119"}),
        # medical in new words
        ("我妈喘不过来气，嘴唇都紫了", {"120"}),
        # property crime now or just found, typed with a typo or in pinyin
        ("我家进了小透，东西全翻了", {"110"}),
        ("you ren zai tou wo jia che", {"110"}),
        ("谁把我家防盗门撬了半天，门框都变形了，人刚跑", {"110"}),
        ("工地上的钢筋正让人往车上装呢，不是我们的人", {"110"}),
        ("我的电动车刚让人骑走了，那人往南跑了", {"110"}),
    ],
)
def test_round_three_frames_raise_the_banner(rules, text, expected):
    assert expected <= referrals(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        # the same words, innocent: repairs, the past, fiction, questions, drills, metaphors
        "我们小区门口的路面裂了好几道缝，下雨天就积水，能不能给修修",
        "我家楼上漏水，把我家屋顶都泡塌了一块，物业不管",
        "前几天路上塌了个坑，给填上了，现在又往下陷了点，找谁",
        "去年那个路面塌陷的坑填上了，但是填得不平",
        "煤矿塌陷区的搬迁补偿什么时候发",
        "我儿子玩游戏，游戏里房子塌了，他非哭着让我充钱",
        "那个网剧里演的地陷吞车太假了，能举报吗",
        "我家孩子看动画片，说里面山塌了把小动物埋了",
        "这个坑把我的钱都吃进去了，理财公司跑路了",
        "楼下超市卖的火腿肠过期了，吃了拉肚子，找谁投诉",
        "股市塌方式下跌，我的钱全套里了",
        "冬天山上往下滑雪的人太多，缆车排大队",
        "仓库里压着好多货，老板不发工资",
        # "collapse" said of health, firms, prices, a mattress: no structure named before the verb
        "就算天塌下来，我也要把房子拿回来",
        "我爸身体垮了，住在老房子里没人管",
        "厂子垮了以后工资一直没发，我们去楼里找老板",
        "这个小区的房价跌得太狠了，都塌了",
        "床垫子陷下去了，床是在楼下家具城买的",
        "大风把我家窗户刮坏了，房东不给修",
        "昨天大风把树刮倒了压在我车上，物业不管",
        "水库放水的时间能不能提前通知下游",
        "暴雨把我家院子的菜都泡了",
        "万一冬天冰面裂了咋办，河边应该立个警示牌",
        "河上的冰开了，今年开江挺早",
        "车被我儿子开走了，我想问问违章怎么处理",
        "我家猫掉到楼下的采光井里了，出不来，物业不给开门",
        "学校组织防溺水演练，说是模拟有人掉冰窟窿",
    ],
)
def test_innocent_counterparts_stay_quiet(rules, text):
    assert referrals(text, rules) == set()


def test_a_same_sound_word_keeps_its_real_neighbours(rules):
    # 小透 and 踏陷 are typos of 小偷 and 塌陷; 小头 and 他陷 are real words with the same sounds.
    assert referrals("店里进了小透，货全没了", rules) == {"110"}
    assert referrals("店里进了小头娃娃，卖得挺好", rules) == set()
    assert "塌陷" in rules.sounds.variant("路面踏陷了").text
    assert rules.sounds.variant("他陷进去了，天天打游戏") is None
