"""Issue 13: cue words matched by sound (same-sound typos, typed pinyin), event frames and
combinations. R20.3: the seat flags life-threatening calls while the operator types."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from operator_tui.domain.triage import TriageRulesError, parse_rules, triage
from operator_tui.triage_rules import load_triage_rules, pinyin_table

pytestmark = pytest.mark.rule("R20.3")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


@pytest.mark.parametrize(
    "text, target, said, heard",
    [
        ("家里没气味儿挺大的，不知道哪漏的", "119", "没气味", "煤气味"),  # 煤 typed as 没
        ("楼道里一股枚气味", "119", "枚气味", "煤气味"),
        ("然气管子让装修的钻漏了", "119", "然气管子让装修的钻漏了", "燃气管子让装修的钻漏了"),
        ("对面楼着伙了", "119", "着伙", "着火"),
    ],
)
def test_a_same_sound_typo_is_read_as_the_cue_word_and_shown_as_typed(rules, text, target, said, heard):
    result = triage(text, rules)
    assert target in result.referrals
    m = next(m for m in result.matches if m.target == target and m.heard_as)
    assert (m.phrase, m.heard_as) == (said, heard)
    assert text[m.start : m.end] == m.phrase  # the banner shows the caller's characters


@pytest.mark.parametrize(
    "text, target",
    [
        ("ranqi xielou，楼下饭店，味大得很", "119"),
        ("zhaohuole，快来，我们单元楼道里", "119"),
        ("wo jia zhao huo le，快来", "119"),
        ("youren yunDao le，在公交站", "120"),
        ("有人qiang bao，往东跑了", "110"),
        ("有个人拿着一把qiang，在网吧门口", "110"),
    ],
)
def test_pinyin_typed_into_the_text_is_understood(rules, text, target):
    assert target in triage(text, rules).referrals


@pytest.mark.parametrize(
    "text",
    [
        "家里没气了，做不了饭，是不是停气了",  # 没气 = no gas supply
        "我坚持到现在了，单位还是不给工资",  # 坚持到 is not 持刀
        "我去医院看人，停车场收费太贵",  # 看人 is not 砍人 (pinyin only)
        "拿到钱了，谢谢你们",  # 拿到 is not 拿刀
        "燃气火小，打不着火，是不是气压低",  # 气火 is not 起火
        "这个月ranqi费咋这么贵",
        "I love KTV, ok?",
    ],
)
def test_words_that_only_sound_alike_stay_innocent(rules, text):
    assert not triage(text, rules).emergency, triage(text, rules).to_json_dict()


@pytest.mark.parametrize(
    "text, targets",
    [
        ("我刚回家，发现门锁让人给拧坏了，首饰盒子没了", {"110"}),  # just discovered
        ("我的包让人给抢了，刚发生的", {"110"}),
        ("孩子在学校门口让一个不认识的人接走了", {"110"}),  # a child taken
        ("楼上打孩子打了半个钟头，孩子哭着哭着不吭声了", {"110", "120"}),  # beaten, gone silent
        ("孩子的手卡在下水道篦子里了，拔不出来", {"119"}),  # stuck
        ("冰面裂了，有个钓鱼的掉下去了", {"119", "120"}),  # through the ice
        ("孩子吃了一个不知道啥的药片，现在嗜睡", {"120"}),  # poisoning
        ("马路中间突然陷下去了", {"应急"}),  # a road collapsing
        ("两台车撞一起了，司机卡在里面出不来", {"119", "122"}),  # combination: trapped
        ("我骑车让人撞了，腿动不了", {"120", "122"}),  # combination: hurt
    ],
)
def test_event_frames_and_combinations(rules, text, targets):
    assert targets <= set(triage(text, rules).referrals), triage(text, rules).to_json_dict()


@pytest.mark.parametrize(
    "text",
    [
        "社区组织消防演习，浓烟滚滚的，是不是太吓人了",  # a drill
        "自来水里面有股煤油味，是怎么回事",  # tap water
        "没有人受伤，就是车刮了一下，想问问怎么处理",  # a scrape, nobody hurt
        "我的电动车电瓶被偷了，小区物业说监控坏了",  # a theft already complained of
        "孩子让他奶奶接走了，我想问问幼儿园几点放学",  # a relative, not a stranger
    ],
)
def test_drills_tap_water_and_settled_matters_stay_innocent(rules, text):
    assert not triage(text, rules).emergency, triage(text, rules).to_json_dict()


def test_the_json_match_says_what_a_typo_was_heard_as(rules):
    out = triage("我家厨房没气味特别大", rules).to_json_dict()
    assert {"target": "119", "phrase": "没气味", "heard_as": "煤气味"}.items() <= out["matches"][0].items()


def test_sound_words_need_the_syllable_table_and_are_validated():
    base = 'version = 1\n[sounds]\nwords = [{word = "煤气", pinyin = "%s"}]\n[[rule]]\nid = "119.gas"\ntargets = ["119"]\nphrases = ["煤气味"]\n'
    rules = parse_rules(base % "mei qi", "mine.toml", pinyin_table())
    assert triage("没气味", rules).referrals == ("119",)
    assert triage("没气味", parse_rules(base % "mei qi", "mine.toml")).referrals == ()  # no table: characters only
    with pytest.raises(TriageRulesError, match="one syllable per character"):
        parse_rules(base % "mei", "mine.toml", pinyin_table())
    with pytest.raises(TriageRulesError, match="'meh' is not a pinyin syllable"):
        parse_rules(base % "meh qi", "mine.toml", pinyin_table())


def test_a_combination_must_name_a_target_another_rule_calls_for():
    text = 'version = 1\n[[rule]]\nid = "119.x"\ntargets = ["119"]\nphrases = ["卡住"]\nonly_with = ["122"]\n'
    with pytest.raises(TriageRulesError, match="only_with"):
        parse_rules(text, "mine.toml")


def test_the_shipped_pinyin_table_is_what_pypinyin_gives():
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_pinyin_table.py"), "--check"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    table = json.loads((ROOT / "operator_tui" / "data" / "pinyin_syllables.json").read_text("utf-8"))
    assert "没" in table["mei"] and "煤" in table["mei"] and "火" in table["huo"]


def test_reading_only_the_sentences_around_a_typo_finds_what_a_whole_second_reading_does(rules, monkeypatch):
    """The second reading scans only the sentences holding the rewritten words (cues never look
    across a sentence end). On every labelled call with a typo or pinyin, alone and with another
    call before and after it, the result must be what scanning the whole second reading gives."""
    import operator_tui.domain.triage as triage_module

    calls = [
        json.loads(line)["text"]
        for path in sorted((ROOT / "tests" / "data").glob("triage_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    heard = [t for t in calls if rules.sounds.variant(t) is not None]
    assert len(heard) > 100  # the check means something only with many typos and pinyin in it
    texts = heard + [f"{calls[i]}。{t}。{calls[-i]}" for i, t in enumerate(heard, 1)]
    shortcut = [triage(t, rules) for t in texts]
    # the shortcut is taken: a typo in the last of three sentences reads only that one
    assert triage_module._sentences_around("甲。乙。丙没气味", 5, 8) == (4, 8)
    monkeypatch.setattr(triage_module, "_sentences_around", lambda text, lo, hi: (0, len(text)))
    whole = [triage(t, rules) for t in texts]
    assert [i for i, (a, b) in enumerate(zip(shortcut, whole)) if a != b] == []
