"""R20.3 / issue 13, round 8: mechanisms rather than vocabulary.

Round 7's rules lifted their own tuning sets by 5-16 points and the blind hold-outs by under two:
words learnt from one author catch that author. Round 8 changes how cues reach instead: a condition
with a "what then" question around the trigger (what_if), a negation read inside a long match (less
the words that are the event there), a cue that looks ahead into the alarming word, a cue word the
caller denies, an all-clear for the rules about people only (for_rules), and a present-time word
after the trigger undoing an aftermath. Each was kept only if the unread validation set 9b did not
get worse (commit messages give its figures).

Every sentence here is new, written for these tests; none is text of a tuning set or a hold-out.
Each quiet sentence has an urgent counterpart close in wording that must still raise the banner.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from operator_tui.domain import triage_cues
from operator_tui.domain.triage import TriageRulesError, parse_rules, triage
from operator_tui.triage_rules import load_triage_rules
from tests.triage_sets import assert_apart_from_holdouts
from tests.triage_sets import load as _load

pytestmark = pytest.mark.rule("R20.3")

DATA = Path(__file__).parents[2] / "tests" / "data"
ROUND8 = ("triage_tuning9a.jsonl", "triage_tuning9b.jsonl")


@pytest.fixture(scope="module")
def rules():
    """The packaged rules without the second opinion: the mechanisms are the rules' own."""
    return dataclasses.replace(load_triage_rules(), model=None)


# (mechanism, quiet sentence, urgent counterpart, a referral the counterpart needs)
PAIRS = [
    (
        "what_if: a condition before, 'what then' after",
        "要是孩子在公园让陌生人抱走了咋整，小区门口有没有监控",
        "孩子在公园让陌生人抱走了，往北门跑了",
        "110",
    ),
    (
        "what_if in rushed typing with spaces only",
        "万一 水库冰面上 有人掉下去 屯里有没有绳子",
        "水库冰面上 有人掉下去了 快来人",
        "119",
    ),
    (
        "what_if: a worry, then who is in charge",
        "我担心楼下那堆纸箱子着火了怎么办，谁管",
        "楼下那堆纸箱子着火了，火苗子老高",
        "119",
    ),
    (
        "what_if: a condition, then a procedure question",
        "要是楼道里有人拿刀砍人，保安该怎么办",
        "楼道里有人拿刀砍人，保安都跑了",
        "110",
    ),
    (
        "what_if: the condition alone stands in its own chunk",
        "要是 地下室进水了 泵站找谁",
        "地下室进水了 里面有人 出不来",
        "119",
    ),
    (
        "a negation opening a later clause of a long match",
        "我家孩子让邻居的狗咬了一口，没出血，疫苗去哪打",
        "我家孩子让邻居的狗咬了一口，血止不住",
        "120",
    ),
    (
        "a negation inside the match's own clause (管道没有泄漏)",
        "燃气公司来人查了燃气管道没有泄漏",
        "燃气管道泄漏了，满屋子都是味",
        "119",
    ),
    (
        "a denial inside the match that looks ahead into its word (也没(?=撞))",
        "人都好好的，车也没撞着，就是那个路口的灯坏了",
        "两台车撞在一块了，有个人卡在里面出不来",
        "119",
    ),
    (
        "all_clear: nobody in it, said after the event",
        "货梯卡在三楼了 没人在里面 找物业修",
        "货梯卡在三楼了 里面有俩工人 出不来",
        "119",
    ),
    (
        "all_clear: nobody caught, said after the event",
        "刚才电梯卡了一下，马上又好了，没困住人",
        "电梯卡了，里面有人",
        "119",
    ),
    (
        "resolved: it passed by itself",
        "老人在公园晕倒了，一会儿自己缓过来了，想问社区有没有体检",
        "老人在公园晕倒了，叫不醒",
        "120",
    ),
    (
        "an aftermath undone by what is happening now, between the event and the aftermath",
        "两台车撞了，对方司机说走保险公司理赔",
        "两台车撞了，现在还横在路口，对方司机说走保险公司理赔",
        "122",
    ),
    (
        "what_if in the operator's register (询问：如……，应联系……)",
        "来电人询问：如小区发生燃气泄漏，应联系哪个单位。",
        "来电人称小区发生燃气泄漏，满楼道都是味。",
        "119",
    ),
    (
        "a cue word the caller denies is no cue (不是演练)",
        "仓库冒黑烟了，是消防演练，大家别慌",
        "仓库冒黑烟了，不是演练，工人正往外跑",
        "119",
    ),
    (
        "a question the caller denies is asking (我不是咨询)",
        "我想咨询一下，楼下有人拿刀砍人应该打哪个电话",
        "我不是咨询，楼下有人拿刀砍人",
        "110",
    ),
]


@pytest.mark.parametrize(("what", "quiet", "urgent", "code"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_mechanism_silences_the_quiet_sentence_and_not_its_urgent_counterpart(rules, what, quiet, urgent, code):
    assert triage(quiet, rules).referrals == (), what
    assert code in triage(urgent, rules).referrals, what


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a condition alone: a threat quotes one (你要是报警……)
        ("你要是敢报警我就弄死你，那男的拿着刀在我家门口喊", "110"),
        # a "what then" alone: a caller's panic
        ("着火了咋整 满屋子烟", "119"),
        # the condition is undone by what is happening now
        ("要是再不来人就完了，现在孩子被人抱走了咋整", "110"),
    ],
)
def test_what_if_needs_both_the_condition_and_the_question(rules, text, code):
    assert code in triage(text, rules).referrals


def test_all_clear_is_for_the_rules_about_people_only(rules):
    """Nobody inside a burning garage is still a fire; a worried question is no all-clear."""
    assert "119" in triage("楼下车库着火了，里面没人", rules).referrals
    assert "120" in triage("商场门口有人倒地抽搐，人没事吧？", rules).referrals
    fire = next(r for r in rules.rules if r.id == "119.fire")
    assert "all_clear" not in {c.name for c in fire.cues}


def test_a_negation_in_the_matchs_own_clause_is_still_part_of_the_event(rules):
    """Inside a match, 半天没上来 is the event (``inside_exceptions``), not its denial."""
    assert "119" in triage("有人掉冰窟窿里了，半天没上来", rules).referrals


def test_without_the_negation_read_inside_the_bite_with_no_blood_would_alarm(rules, monkeypatch):
    # The mechanism, not some word list, silences it: turn it off and the banner comes back.
    monkeypatch.setattr(triage_cues, "_READ_INSIDE", triage_cues._READ_INSIDE - {"negation"})
    assert "120" in triage("我家孩子让邻居的狗咬了一口，没出血，疫苗去哪打", rules).referrals


def test_what_if_is_on_every_rule_and_silences_the_models_guesses_too(rules):
    assert "what_if" in {c.name for c in rules.default_cues}
    for rule in rules.rules:
        assert "what_if" in {c.name for c in rule.cues}, rule.id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('both = true\nbefore = ["要是"]', "both"),
        ('both = "yes"\nbefore = ["要是"]\nafter = ["咋整"]', "true or false"),
        ('for_rules = "120."\nafter = ["没事"]', "for_rules"),
    ],
)
def test_a_both_group_without_both_halves_is_refused_with_a_message(body, message):
    toml = f'version = 1\n[cues.w]\n{body}\n[[rule]]\nid = "119.fire"\ntargets = ["119"]\nphrases = ["着火"]\nsuppress = ["w"]\n'
    with pytest.raises(TriageRulesError, match=message):
        parse_rules(toml, "rules.toml")


def test_the_round_eight_sets_share_no_text_with_any_hold_out():
    # Texts are compared as sets; a failure names tuning ids only, never a hold-out's call.
    mine = {c["text"]: c["id"] for name in ROUND8 for c in _load(DATA / name)}
    assert len(mine) == sum(len(_load(DATA / n)) for n in ROUND8)
    assert_apart_from_holdouts(
        mine,
        {f"triage_holdout{n}.jsonl" for n in ("", "2", "3", "4", "5")},
    )
