"""Resource policies (a bucket's, a queue's, a topic's, a key's): what each principal they name may do.

A statement of a resource policy names its principals (`trust.resource_principals`: `*` is anyone, or everyone a
condition on who admits) and gives them its actions on the resource. Each principal's statements are evaluated
together with the Denies to everyone, as IAM would for a request of that principal (`evaluate`); what is left are
grants to it. A key policy is read for who may use the key instead (`key_readers`): using a key is reading it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from policylint.iam import actions
from policylint.iam.evaluate import evaluate
from policylint.iam.statements import Statement
from policylint.iam.trust import resource_principals
from policylint.model import EVERYONE, Grant, Location

# What lets a principal read with a key, or decide who may (a key administrator can make itself a reader)
KEY_USE = ("kms:decrypt", "kms:encrypt", "kms:reencryptfrom", "kms:reencryptto", "kms:generatedatakey",
           "kms:generatedatakeywithoutplaintext", "kms:generatedatakeypair",
           "kms:generatedatakeypairwithoutplaintext", "kms:sign", "kms:verify", "kms:generatemac", "kms:verifymac",
           "kms:derivesharedsecret", "kms:creategrant", "kms:putkeypolicy")


def names_principals(statement: Statement) -> bool:
    """A statement of a resource or trust policy (it says who), not of an identity's policy."""
    return bool(statement.principals) or statement.not_principals is not None


def grants_by_principal(statements: Iterable[Statement], account: str, location: Location,
                        principals_account: str | None) -> dict[str, list[Grant]]:
    """principal id -> its grants (`to` set), in the order the policy names them; never on access control (a
    resource policy gives no IAM escalation). `principals_account`: the account the policy belongs to, or None
    when not known (an ARN then names its own principal, `trust.resource_principals`)."""
    named: dict[str, list[Statement]] = {}
    for statement in statements:
        for principal in resource_principals(statement, principals_account):
            named.setdefault(principal, []).append(statement)
    return evaluate_for(named, account, location)


def evaluate_for(named: dict[str, list[Statement]], account: str, location: Location) -> dict[str, list[Grant]]:
    """principal id -> its grants, from the statements naming it and the Denies to everyone (`*`)."""
    denied_to_all = [s for s in named.get(EVERYONE, []) if s.effect == "Deny"]
    found = {}
    for principal, own in named.items():
        held = own + (denied_to_all if principal != EVERYONE else [])
        grants = evaluate(held, account, location).grants
        found[principal] = [replace(g, to=principal) for g in grants if not g.resource.endswith(":access-control")]
    return found


def key_readers(statements: Iterable[Statement], principals_account: str | None) -> list[str]:
    """Who a key policy lets use the key, with any condition (fail closed); its Denies are not applied."""
    return list(dict.fromkeys(principal for s in statements if s.effect == "Allow" and uses_key(s)
                              for principal in resource_principals(s, principals_account)))


def uses_key(statement: Statement) -> bool:
    if statement.not_actions is not None:
        excluded = actions.matcher(statement.not_actions)
        return not all(excluded.match(a) for a in KEY_USE)
    allowed = actions.matcher(statement.actions)
    return any(allowed.match(a) for a in KEY_USE)
