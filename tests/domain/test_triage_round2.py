"""R20.3 / issue 13, round 2: situations worded as callers word them, on the second and third tuning sets.

The sets (tests/data/triage_tuning2.jsonl, triage_tuning3.jsonl, triage_tuning4.jsonl) were written without looking at
the frozen hold-out and committed before the rules changed; the rules were then tuned on them, so
these tests guard what was reached. The hold-out figures are in test_triage_eval.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from operator_tui.domain.triage import TARGETS
from operator_tui.triage_rules import load_triage_rules
from tests.triage_sets import figures, referrals
from tests.triage_sets import load as _load

pytestmark = pytest.mark.rule("R20.3")

DATA = Path(__file__).parents[1] / "data"
SETS = [DATA / "triage_tuning2.jsonl", DATA / "triage_tuning3.jsonl", DATA / "triage_tuning4.jsonl"]
# Every tuning set, the fifth (round 3) and sixth (round 4) included, must share no text with the
# hold-out; test_triage_round4.py checks the sixth against every hold-out.
APART = [*SETS, DATA / "triage_tuning5.jsonl", DATA / "triage_tuning6.jsonl"]


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


@pytest.mark.parametrize("path", APART, ids=lambda p: p.name)
def test_round_two_sets_are_well_formed_and_apart_from_the_hold_out(path):
    calls = _load(path)
    assert len({c["id"] for c in calls}) == len(calls)
    assert all(set(c["expect"]) <= set(TARGETS) and c["text"].strip() for c in calls)
    holdout = {c["text"] for c in _load(DATA / "triage_holdout.jsonl")}
    shared = sorted(holdout & {c["text"] for c in calls})
    assert shared == []  # names only the shared calls, never the rest of the hold-out


def test_the_second_set_covers_every_kind_issue_13_lists():
    calls = _load(SETS[0])
    assert len(calls) >= 200
    assert {
        "property",
        "child_taken",
        "stalking",
        "child_abuse",
        "typo",
        "pinyin",
        "rescue",
        "ice",
        "poisoning",
        "collapse",
        "buried",
        "drill",
        "tapwater",
        "past",
        "negation",
        "fiction",
        "hypothetical",
        "rumour",
        "innocent",
    } <= {c["kind"] for c in calls}


@pytest.mark.parametrize(
    "path, min_recall, max_false_alarms",
    [(SETS[0], 0.99, 0.02), (SETS[1], 0.97, 0.05), (SETS[2], 0.97, 0.05)],
    ids=["tuning2", "tuning3", "tuning4"],
)
def test_round_two_figures(rules, path, min_recall, max_false_alarms):
    recall, alarms, misses, false_alarms = figures(_load(path), rules)
    assert recall >= min_recall, misses
    assert alarms <= max_false_alarms, false_alarms


@pytest.mark.parametrize(
    "text, expected",
    [
        # a lift stopped between floors with someone inside
        ("电梯卡在五楼和六楼中间了，里面关着我妈", {"119"}),
        ("电梯一下子从十楼掉到四楼，门打不开，我们三个人在里面", {"119"}),
        # a child or frail person shut in
        ("孩子钻进洗衣机里，盖子扣上打不开了", {"119"}),
        ("我奶奶摔倒在厕所里了，门反锁着我们进不去", {"119", "120"}),
        # scalds
        ("食堂的热油锅翻了，把厨师烫了，皮都掉了", {"120"}),
        # a child being taken, in new words
        ("一个戴口罩的男的把小姑娘拉着手往外走，小姑娘一直哭", {"110"}),
        ("有人拿零食哄小孩上他车", {"110"}),
        # stalking turned physical
        ("那人跟了我一路，刚才把我拽进楼道里了", {"110"}),
        # a beaten child gone silent
        ("楼上把他儿子往地上摔，现在一点动静都没有了", {"110", "120"}),
        # property crime now or just found
        ("我的挎包让人给划了个口子，钱包没了，那人刚下车", {"110"}),
        ("我们店让人给砸了，柜台里的东西都拿走了", {"110"}),
        # collapses
        ("三楼的阳台整个塌下来了", {"应急"}),
        ("桥面裂开了，还在往下沉", {"应急"}),
        ("工地的塔吊歪了，眼瞅着要倒", {"应急"}),
        # gas, sound-alike and pinyin
        ("液化气罐子坏了，一直往外跑气", {"119"}),
        ("danyuan ranqi wei hen da", {"119"}),
        ("有人拿着砍到在街上追人", {"110"}),
        # combinations: a crash with someone trapped, someone hurt
        ("两台车在路口怼上了，司机卡在里面出不来", {"122", "119"}),
        ("che huo le, you ren shou shang", {"122", "120"}),
        ("louxia you ren na qiang", {"110"}),
        ("有人qiang wo shouji", {"110"}),
        ("工人在沼气池里面晕过去了", {"119", "120"}),
        ("一个小偷让我们给按住了，他还想跑", {"110"}),
        ("老大爷在院里让车库顶棚砸着了", {"119", "120"}),
    ],
)
def test_new_frames_raise_the_banner(rules, text, expected):
    assert expected <= referrals(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "消防队来小区演示灭火，邻居还以为着火了",
        "他们在路边拍短视频，有人演被车撞倒",
        "抖音上说有人在学校门口抢孩子，是真的假的",
        "我们这个路口老出车祸，能不能装个红绿灯",
        "物业的监控坏了，车被剐了都找不着人",
        "我们村的路让大车压坏了",
        "水闻着有股煤气味",
        "有人在小区里偷偷种菜",
        "电梯困人了以后物业多久能到，有规定吗",
        "我儿子写作文写家里着火了",
        "燃气报警器老响，检查也没漏",
        "路边的树让风刮歪了，看着快倒了",
        "我家钥匙锁屋里了，进不去",
        "我家门口的树让人砍了",
        "冬天烧炉子容易中毒，能不能给老人装报警器",
        "我家孩子让同学打了，脸上青了一块，学校怎么处理",
        "幼儿园搞防拐骗演练，有个叔叔假装把孩子领走",
    ],
)
def test_innocent_wordings_stay_quiet(rules, text):
    assert referrals(text, rules) == set()


def test_a_crushed_person_under_a_garage_roof_is_no_traffic_accident(rules):
    assert "122" not in referrals("老大爷在院里让车库顶棚砸着了", rules)
