"""The domain's errors.

    ValueError
    ├── TaxonomyError      a taxonomy data file is malformed (taxonomy.py)
    ├── HolidayFileError   the holiday file is malformed (workdays.py)
    └── PolicyError        the policy file is malformed (deadlines.py)
    Exception
    └── RuleViolation      an event the regulation does not allow; carries the rule ID
"""

from __future__ import annotations


class RuleViolation(Exception):
    """An event the regulation does not allow. `rule` is the rule ID (REQUIREMENTS.md)."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
