"""Realistic demo data for a fresh seat: callers, tickets at every stage, a caller with history.

Deterministic (seeded) so screenshots and walkthroughs in the README stay true.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .config import Rules
from .desk import Desk
from .domain.model import Role
from .domain.routing import suggest_units
from .store import meta
from .store.db import Store

DEMO_CALLER = "13912345678"  # has an open heating ticket: the seat offers 催办 on a new call

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
CALLS: list[tuple[str, str, str, str]] = [
    # matter, appeal type, place, description
    (
        "heating_temperature",
        "complaint",
        "tiedong.站前街道",
        "家里暖气不热，卧室室温只有15度，老人孩子都冻感冒了，找过供热站说在排查，一直没人来。",
    ),
    ("heating_temperature", "help", "lishan.曙光街道", "整栋楼暖气都不热，回水管是凉的，物业说是热力公司的问题。"),
    ("heating_fee", "consult", "tiexi.永乐街道", "想问一下今年供暖费什么时候交，有没有低保户减免的政策。"),
    ("heating_outage", "help", "tiedong.园林街道", "楼道暖气管爆了一直在漏水，水已经流到一楼了，请尽快派人抢修。"),
    ("water_outage", "complaint", "tiexi.八卦街街道", "小区从昨天晚上开始停水，没有任何通知，到现在也没来水。"),
    ("water_quality", "report_situation", "qianshan.汤岗子街道", "自来水发黄有异味，烧开以后有沉淀，担心水质有问题。"),
    ("power_outage", "help", "lishan.友好街道", "我们这一片下午三点开始停电，冰箱里东西都要坏了，什么时候能来电？"),
    ("gas_supply", "complaint", "tiedong.山南街道", "燃气表充值以后还是没气，去营业厅说要等三天，做不了饭。"),
    (
        "property_service",
        "complaint",
        "tiedong.解放街道",
        "物业不管小区卫生，垃圾堆了一个星期没人清，楼道灯坏了也不修。",
    ),
    ("property_fee", "complaint", "tiexi.繁荣街道", "物业费今年突然涨了一倍，没有开业主大会，也没有公示。"),
    ("elevator", "help", "lishan.双山街道", "单元电梯坏了三天了，家里有八十多岁的老人下不了楼。"),
    ("noise_construction", "complaint", "tiedong.胜利街道", "旁边工地晚上十一点还在施工打桩，吵得没法睡觉。"),
    ("noise_life", "complaint", "tiexi.南华街道", "楼下烧烤店每天营业到凌晨两点，喝酒吵闹，严重影响休息。"),
    ("illegal_building", "whistleblow", "qianshan.东鞍山街道", "一楼住户私自在院里盖了彩钢房，占用公共绿地。"),
    ("wage_arrears", "complaint", "hightech", "在工地干了四个月活，老板拖欠工资两万多元，一直推脱不给。"),
    ("social_security_card", "consult", "tiedong.长甸街道", "社保卡丢了，想问一下在哪里补办，需要带什么材料。"),
    ("medical_insurance", "consult", "lishan.灵山街道", "在外地住院的费用回来怎么报销，需要办异地就医备案吗？"),
    (
        "education_enrolment",
        "consult",
        "tiexi.兴盛街道",
        "孩子明年上小学，户口和房子不在一个学区，应该去哪所学校报名？",
    ),
    ("bus_service", "complaint", "tiedong.湖南街道", "25路公交车早上等了四十分钟都不来，司机还甩站。"),
    ("taxi", "complaint", "lishan.立山街道", "出租车司机不打表，从火车站到我家要了五十元。"),
    ("road_damage", "report_situation", "tiexi.大陆街道", "路中间有个大坑，晚上看不见，已经有骑电动车的摔倒了。"),
    ("street_light", "report_situation", "qianshan.大孤山街道", "这条路的路灯坏了一半多，晚上特别黑，走路不安全。"),
    ("garbage", "complaint", "lishan.沙河街道", "小区门口垃圾箱满了好几天没人清运，味道很大。"),
    ("food_safety", "whistleblow", "tiedong.新兴街道", "在一家饭店吃饭后全家拉肚子，怀疑后厨卫生有问题。"),
    ("market_price", "complaint", "tiexi.共和街道", "超市蔬菜标价和结账价格不一致，多收了钱。"),
    ("business_deregistration", "consult", "economic", "公司不经营了想注销，不知道要先办税务还是先办工商。"),
    ("household_registration", "consult", "haicheng", "孩子出生以后怎么上户口，父母户口不在一个地方。"),
    ("air_pollution", "complaint", "lishan.齐大山街道", "附近厂子晚上偷偷排黑烟，味道刺鼻，窗户都不敢开。"),
    ("civil_affairs", "help", "taian", "家里老人瘫痪在床，想申请低保，不知道需要什么条件。"),
    ("petition", "report_situation", "tiedong.对炉街道", "多年前的房屋拆迁补偿一直没有落实，多次反映没有结果。"),
    ("gov_information", "query", "tiexi", "想申请公开我们小区旧改工程的招标信息。"),
    ("housing_fund", "consult", "tiedong.常青街道", "公积金贷款需要什么条件，缴存多久可以贷？"),
]


def _form(
    rng: random.Random, matter: str, appeal_type: str, place: str, text: str, phone: str | None = None
) -> dict[str, Any]:
    surname = rng.choice(SURNAMES)
    vulnerable = ["elderly"] if "老人" in text and rng.random() < 0.6 else []
    return {
        "appellant": {
            "name": surname + rng.choice(["先生", "女士"]),
            "phone": phone or f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "address": f"{place.split('.')[-1]}{rng.randrange(1, 60)}号楼{rng.randrange(1, 7)}单元{rng.randrange(1, 7)}0{rng.randrange(1, 4)}",
            "kind": "person",
            "vulnerable": vulnerable,
        },
        "appeal_type": appeal_type,
        "matter": matter,
        "place": place,
        "description": text,
        "channel": rng.choice(["hotline_8890"] * 6 + ["gov_12345", "minxin", "mayor_mailbox"]),
    }


def seed(store: Store, rules: Rules, now: datetime, count: int = 60) -> int:
    """Seed `count` tickets spread over the last 12 days at every stage. Returns how many."""
    rng = random.Random(8890)
    with store.transaction() as db:
        if meta.get(db, "demo_seeded"):
            return 0
        meta.put(db, "demo_seeded", now.isoformat())
    tax = rules.taxonomy
    # Demo history stays on this seat: it is not in the outbox, so a demo seat that later syncs
    # sends only the calls really taken on it.
    op = Desk(store, rules, "demo-operator", outbox=False)
    sup = Desk(store, rules, "demo-supervisor", Role.SUPERVISOR, outbox=False)
    made = 0
    for i in range(count):
        matter, appeal_type, place, text = CALLS[i % len(CALLS)]
        phone = DEMO_CALLER if i in (0, 17, 35) else None
        at = now - timedelta(days=rng.uniform(0.2, 12), minutes=rng.randrange(600))
        if i == 0:
            at = now - timedelta(days=1, hours=3)
        form = _form(rng, matter, appeal_type, place, text, phone)
        stage = 0 if i == 0 else rng.choice([0, 1, 2, 2, 3, 3, 3, 4, 5, 6, 7])
        if stage == 1:  # answered on the spot (R20.1)
            op.register(form, at, [("answer_on_spot", {"answer": "已按政策向诉求人解释，诉求人表示理解。"})])
            made += 1
            continue
        s = suggest_units(tax, matter, place)
        units = [s.lead_unit, *s.co_units]
        t = op.register(
            form,
            at,
            []
            if stage == 0 and i != 0
            else [("accept", {}), ("dispatch", {"lead_unit": units[0], "co_units": list(s.co_units)})],
        )
        made += 1
        if i == 0 or stage < 3:
            continue
        unit = Desk(store, rules, f"unit:{units[0]}", Role.UNIT, outbox=False)
        t1 = at + timedelta(hours=rng.uniform(1, 20))
        t = unit.record(t.id, "receive", {"unit": units[0]}, t1)
        if stage == 4:
            unit.record(
                t.id,
                "request_extension",
                {
                    "unit": units[0],
                    "reason": "需协调多个部门现场核查",
                    "progress": "已现场查看",
                    "measures": "联系施工单位整改",
                    "new_due": (t1 + timedelta(days=20)).isoformat(),
                },
                t1 + timedelta(hours=5),
            )
            continue
        if stage >= 5:
            t2 = t1 + timedelta(days=rng.uniform(0.5, 3))
            unit.record(
                t.id,
                "respond",
                {"unit": units[0], "result": "已派人现场处理，问题已解决，并电话告知诉求人。", "told_appellant": True},
                t2,
            )
            if stage >= 6:
                sup.record(t.id, "review_pass", {}, t2 + timedelta(hours=3))
            if stage >= 7:
                sup.record(
                    t.id,
                    "callback",
                    {
                        "ratings": {"timeliness": 5, "result": 4, "attitude": 5, "overall": 5},
                        "words": "处理得挺快，满意。",
                    },
                    t2 + timedelta(days=1),
                )
    made += _extras(store, rules, now, rng, op, sup)
    return made


def _extras(store: Store, rules: Rules, now: datetime, rng: random.Random, op: Desk, sup: Desk) -> int:
    """The rarer paths a demo should show: an emergency referral, an explanation demand, supervision."""
    from .domain.deadlines import running_clock
    from .store import tickets

    gas = _form(
        rng, "gas_safety", "help", "lishan.曙光街道", "楼道里闻到很浓的煤气味，邻居家敲门没人应，担心燃气泄漏。"
    )
    op.register(
        gas,
        now - timedelta(hours=2),
        [
            ("referral", {"target": "119", "outcome": "transferred", "reason": ""}),
            ("accept", {}),
            ("dispatch", {"lead_unit": "gas_group", "co_units": ["city_emergency", "gov_lishan"]}),
        ],
    )
    demanded = now - timedelta(hours=1)
    with store.connect() as db:
        # Overdue when the demand is made, an hour ago: a limit that ran out within the last hour
        # (at midnight, when a day's limit ends) would make the demand a refused R10.2.
        late = [
            t
            for t in tickets.search(db, status="in_progress", limit=100)
            if (c := running_clock(t, demanded, rules.clocks, rules.taxonomy)) is not None and c.overdue
        ]
    for t in late[:2]:
        op.record(
            t.id,
            "demand_explanation",
            {"reason": "overdue", "text": "超过时限没有任何答复，要求单位说明原因。"},
            demanded,
        )
        sup.record(
            t.id,
            "supervise",
            {"ground": 1, "note": "已超期，请于两个工作日内办结并反馈。"},
            now - timedelta(minutes=30),
        )
    return 1
