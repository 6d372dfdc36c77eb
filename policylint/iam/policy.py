"""The IAM policy interface every AWS source uses: read statements, evaluate them to grants, read trust policies.

The work is done in `statements` (reading, ARNs to ids), `actions` (the action data), `evaluate` (deny, wildcards,
NotAction/NotResource, conditions, privilege escalation) and `trust` (who may assume a role).
"""

from __future__ import annotations

from policylint.flags import AWS_ALLOWS_STAR_STAR as STAR_STAR
from policylint.flags import AWS_ROOT as ROOT
from policylint.iam.evaluate import ANY_ACCESS_CONTROL, Evaluation, effective_grants, evaluate
from policylint.iam.statements import Statement, access_control_id, arn_to_id, condition_text, parse_policy
from policylint.iam.trust import (
    implied_principal,
    principal_id,
    principals_of,
    principals_of_trust_policy,
    root_id,
)

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
