"""The operator's register (issue 13 part 4): summary boilerplate found and masked, offsets kept."""

from __future__ import annotations

import pytest

from operator_tui.domain.register import MASK, mask, read


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("来电人反映：其居住的园林小区楼道内浓烟滚滚", "园林小区楼道内浓烟滚滚", ["来电人", "反映"]),
        ("市民来电，称其所在小区供暖偏凉", "所在小区供暖偏凉", ["市民", "来电", "称"]),
        ("来电人（女，约60岁）表示家中停水三天", "家中停水三天", ["来电人", "约60岁", "表示"]),
        ("据来电人描述，其家暖气片爆裂，现要求热力公司上门", "热力公司上门", ["据来电人描述", "现要求"]),
        ("诉求：门禁损坏；要求相关部门尽快维修", "门禁损坏", ["诉求", "要求相关部门"]),
        ("来电人称多次反映无果，现来电了解处理情况", "多次反映无果", ["来电人称", "现来电了解"]),
        ("电线垂落，希望供电部门尽快处理", "供电部门尽快处理", ["希望"]),
    ],
)
def test_the_boilerplate_is_masked_and_the_callers_matter_kept(text, kept, gone):
    masked = mask(text)
    assert len(masked) == len(text)  # offsets the UI shows stay right
    assert kept in masked
    for word in gone:
        assert word not in masked
    # Every character is either as typed or masked: nothing moves.
    assert all(m == t or m == MASK for m, t in zip(masked, text))


@pytest.mark.rule("R18.1")
def test_the_spans_point_at_the_boilerplate_in_the_text_as_typed():
    r = read("来电人（男）反映：家中暖气不热")
    assert r.is_summary and r.verbs == ("反映",)
    ((start, end),) = r.spans
    assert r.text[start:end] == "来电人（男）反映："
    assert r.masked[end:] == "家中暖气不热"


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize(
    "text",
    ["停电一天了什么时候来电", "刚才来电了又停了", "市民卡丢了咋补办", "家里暖气不热，老人冻感冒了"],
)
def test_the_callers_own_words_are_left_alone(text):
    r = read(text)
    assert r.masked == text and not r.is_summary and r.verbs == ()


@pytest.mark.rule("R18.1")
@pytest.mark.parametrize(
    ("text", "verbs"),
    [
        ("该市民咨询：门诊慢性病如何认定", ("咨询",)),
        ("来电人举报某烧烤店违规使用液化气", ("举报",)),
        ("市民来电，称小区停水", ("称",)),
    ],
)
def test_the_reporting_verb_is_kept_aside_for_the_type(text, verbs):
    assert read(text).verbs == verbs
