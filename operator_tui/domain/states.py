"""Who acts on a ticket and the states it passes through (R20–R28), with their names in plain words.

Plain enums, apart from the pydantic models in `model`, so code that only names a state is cheap
to import.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"  # 接线员 at a seat
    SUPERVISOR = "supervisor"  # 值班长 / the centre's reviewers
    UNIT = "unit"  # a handling unit (承办单位)
    ADMIN = "admin"  # the office (群众工作委员会办公室) and system administrators
    SYSTEM = "system"  # periodic sweeps (R25.1 (1), (2), (4))
    PARTNER = "partner"  # another platform registering appeals through Open311 (R32.1)


class Status(StrEnum):
    REGISTERED = "registered"  # 已登记，待受理 (R20.2: 3 working days)
    ACCEPTED = "accepted"  # 已受理，待转办 (R20.2: 2 working days)
    DISPATCHED = "dispatched"  # 已转办，待签收
    IN_PROGRESS = "in_progress"  # 办理中 (R22.1)
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中 (R22.2)
    RETURNED = "returned"  # 单位退单，待改派 (R28.1)
    RESPONDED = "responded"  # 已反馈，待审核 (R23.1)
    AWAITING_CALLBACK = "awaiting_callback"  # 待回访 (R23.2)
    RATED = "rated"  # 已回访评价
    RATING_DISPUTED = "rating_disputed"  # 评价异议中 (R23.3)
    RERATED = "rerated"  # 已复评，待办公室审核 (R23.3)
    ANSWERED = "answered"  # 当场答复办结 (R20.1)
    REFUSED = "refused"  # 不予受理 (R20.2)
    ADVISED = "advised"  # 已告知办理途径 (R20.5, R20.6)
    ARCHIVED = "archived"  # 办结归档

    @property
    def closed(self) -> bool:
        return self in CLOSED_STATUSES


CLOSED_STATUSES = frozenset({Status.ANSWERED, Status.REFUSED, Status.ADVISED, Status.ARCHIVED})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)

STATUS_NAMES: dict[Status, str] = {
    Status.REGISTERED: "已登记，待受理",
    Status.ACCEPTED: "已受理，待转办",
    Status.DISPATCHED: "已转办，待单位签收",
    Status.IN_PROGRESS: "承办单位办理中",
    Status.EXTENSION_REQUESTED: "单位申请延期，待审批",
    Status.RETURNED: "单位退单，待改派",
    Status.RESPONDED: "单位已反馈，待审核",
    Status.AWAITING_CALLBACK: "审核通过，待回访",
    Status.RATED: "已回访评价",
    Status.RATING_DISPUTED: "单位对评价有异议",
    Status.RERATED: "已复评，待办公室审核",
    Status.ANSWERED: "已当场答复办结",
    Status.REFUSED: "不予受理",
    Status.ADVISED: "已告知办理途径",
    Status.ARCHIVED: "已办结归档",
}
