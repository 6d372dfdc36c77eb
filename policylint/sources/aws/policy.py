"""The IAM policy interface every AWS source uses: read statements, evaluate them to grants, read trust policies.

The work is done in `statements` (reading, ARNs to ids), `actions` (the action data), `evaluate` (deny, wildcards,
NotAction/NotResource, conditions, privilege escalation) and `trust` (who may assume a role).
"""

from __future__ import annotations

from policylint.sources.aws.evaluate import ANY_ACCESS_CONTROL, Evaluation, effective_grants, evaluate
from policylint.sources.aws.statements import Statement, access_control_id, arn_to_id, condition_text, parse_policy
from policylint.sources.aws.trust import (
    implied_principal,
    principal_id,
    principals_of,
    principals_of_trust_policy,
    root_id,
)

STAR_STAR = "aws-allows-star-star"
ROOT = "aws-root"

__all__ = [
    "ANY_ACCESS_CONTROL",
    "ROOT",
    "STAR_STAR",
    "Evaluation",
    "Statement",
    "access_control_id",
    "arn_to_id",
    "condition_text",
    "effective_grants",
    "evaluate",
    "implied_principal",
    "parse_policy",
    "principal_id",
    "principals_of",
    "principals_of_trust_policy",
    "root_id",
]
