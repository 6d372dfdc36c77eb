"""The JSON Schema of the facts document of each node kind: what a rule author can test.

Printed by `policylint schema facts KIND`.

`tests/test_facts.py` validates every facts document of the example organisation against these, so the
documentation cannot drift from what `facts.py` builds.
"""

from __future__ import annotations

from typing import Any

from policylint import flags
from policylint.model import NODE_KINDS

Schema = dict[str, Any]


def _t(kind: str | list[str], description: str, **extra: Any) -> Schema:
    return {"type": kind, "description": description, **extra}


STR_LIST: Schema = {"type": "array", "items": {"type": "string"}}
DATE = _t(["string", "null"], "ISO date YYYY-MM-DD, or null when unknown", format="date")
DAYS = _t(["integer", "null"], "whole days as of --as-of; null when the date is unknown")
BASIS = _t(["string", "null"], "why the person counts as departed when the roster does not plainly say so: where "
           "the departure date was inferred from (e.g. meta.lastModified), or a date that has come while the roster "
           "says active; null otherwise")
STATUS = {"enum": ["active", "departed", "suspended", "leave", None],
          "description": "HR status of the person behind the name; null when it is not a person or a user account"}

HELD_VIA: Schema = {**STR_LIST, "description": "who holds it: one shortest path to this node from a person (a "
                    "departed or suspended one when there is one), else, for a credential, from the identity "
                    "holding it; [] when nobody does (a credential that is not active is held by nobody)"}

GRANTS: Schema = {
    "type": "array",
    "description": "grants held (a role's own, or direct grants to an identity)",
    "items": {
        "type": "object",
        "properties": {
            "resource": _t("string", "the resource id"),
            "actions": {"type": "array", "items": {"enum": ["read", "write", "delete", "admin", "*"]}},
            "resource_type": _t(["string", "null"], "type of the resource; \"*\" for a grant on every resource; null "
                                "when it is defined nowhere"),
            "customer_data": _t("boolean", "the resource holds customer data"),
            "classes": {**STR_LIST, "description": "customer-data classes of the resource"},
            "excluding": {**STR_LIST, "description": "id globs the grant leaves out (IAM NotResource, denies)"},
            "condition": _t(["string", "null"], "the condition the grant holds under (it still counts for reach); "
                            "null when unconditional"),
            "via": _t(["string", "null"], "what the platform calls the grant: a policy, a role binding"),
            "actions_given": {**STR_LIST, "description": "the platform's own action names, as written"},
            "reads_every": {**STR_LIST, "description": "the kinds of data store of which the grant reads every one "
                            "in its scope (`S3 buckets` for s3:GetObject on `*`; a GCP data role on a whole project, "
                            "folder or organisation, not on one bucket or dataset; every kind on `*`); [] otherwise, "
                            "where it is `*` or admin on customer data, and where a template left its resource "
                            "open"},
        },
    },
}

FLAGS: Schema = {
    "type": "array",
    "description": "platform facts set by the source that read the node (the registry: policylint/flags.py; README, "
                   "\"Flags\")",
    "items": {"anyOf": [
        {"enum": sorted(set(flags.FLAGS) - flags.PREFIXES)},
        {"type": "string", "pattern": "^(" + "|".join(sorted(p[:-1] for p in flags.PREFIXES)) + "):.+"},
    ]},
}
NAMED_IN: Schema = {
    "type": "array",
    "description": "where the node is named: group members, assumable_by, readable_by, a grant's to",
    "items": {"type": "object", "properties": {
        "field": _t("string", "members, assumable_by, readable_by or to"),
        "in": _t("string", "id of the naming node (for `to`: the resource granted)"),
        "via": _t("string", "the account named, when it is not the person"),
    }},
}
ASSUMES: Schema = {
    "type": "array",
    "description": "roles that name this node in assumable_by (role bindings, attached policies)",
    "items": {"type": "object", "properties": {"role": _t("string", "role id"), "flags": FLAGS}},
}
ASSUMES_BY_FLAG: Schema = {
    "type": "object",
    "description": "the roles of `assumes` by each flag without a value they carry, with `_` for `-`: "
                   "`k8s_read_secrets_cluster` lists the bindings that read secrets cluster-wide; a flag none carries "
                   "is absent",
    "properties": {f.replace("-", "_"): STR_LIST for f in sorted(set(flags.FLAGS) - flags.PREFIXES)},
    "additionalProperties": False,
}
SCOPE = _t(["string", "null"], "the account, cluster or project it lives in (aws:123…, k8s:…, gcp:…); "
           "null: the whole inventory")

COMMON: dict[str, Schema] = {
    "kind": {"enum": list(NODE_KINDS)},
    "id": _t("string", "the node id"),
    "file": _t("string", "file that defines the node"),
    "line": _t("integer", "line of the definition"),
    "broken_refs": {
        "type": "array",
        "description": "names this node refers to that are defined nowhere (found: null) or name the wrong kind",
        "items": {"type": "object", "properties": {
            "field": _t("string", "the referring field"),
            "name": _t("string", "the name referred to"),
            "found": _t(["string", "null"], "kind of node the name stands for; null when defined nowhere"),
        }},
    },
    "flag_values": {
        "type": "object",
        "description": "the values of the node's prefix flags, by flag with `_` for `-` (`aws-unknown-action:s3:"
                       "GetObjekt` gives aws_unknown_action: [s3:GetObjekt]); a flag it does not have is absent",
        "properties": {p[:-1].replace("-", "_"): STR_LIST for p in sorted(flags.PREFIXES)},
        "additionalProperties": False,
    },
    "reach": {
        "type": "object",
        "description": "what this node can get to (its own and through every path in the graph)",
        "properties": {
            "customer_data": _t("boolean", "there is a path from this node to customer data"),
            "classes": {**STR_LIST, "description": "customer-data classes reached"},
            "resources": {**STR_LIST, "description": "customer-data resources reached"},
            "records": _t("integer", "sum of `records` of the customer-data resources reached"),
            "path": {**STR_LIST, "description": "one shortest path: this node → … → customer data"},
        },
    },
}

KINDS: dict[str, dict[str, Schema]] = {
    "person": {
        "status": {"enum": ["active", "departed", "suspended", "leave"]},
        "departed": DATE,
        "days_since_departed": DAYS,
        "emails": STR_LIST,
        "aliases": {**STR_LIST, "description": "user names and logins that also name the person"},
        "departed_basis": _t(["string", "null"], "why the person counts as departed when the roster does not "
                             "plainly say so: where `departed` was inferred from (e.g. meta.lastModified), or a "
                             "departure date that has come while the roster says active; null otherwise"),
        "contradictions": {**STR_LIST, "description": "what the roster record says against itself or leaves out "
                           "(a departure date that has come while the status says active, no status), each with "
                           "how it was read: fail closed (PL003)"},
        "accounts": {**STR_LIST, "description": "the person's own `user` principals"},
        "named_in": {**NAMED_IN, "description": "where the person, or one of their accounts (via), is still "
                     "named: group members, assumable_by, readable_by, a grant's to"},
        "grants": GRANTS,
        "assumes": ASSUMES,
        "assumes_by_flag": ASSUMES_BY_FLAG,
    },
    "principal": {
        "type": {"enum": ["user", "service", "external"]},
        "person": _t(["string", "null"], "for a user principal: the person it belongs to"),
        "person_status": STATUS,
        "owner": {
            "type": ["object", "null"],
            "description": "the responsible owner; null when none is named",
            "properties": {
                "id": _t("string", "owner id"),
                "kind": _t(["string", "null"], "kind of the owner node; null when defined nowhere"),
                "status": STATUS,
            },
        },
        "roster": _t("boolean", "the inventory holds an HR roster (a person from an HR export or a native "
                     "`people:` section); without one, whose account this is cannot be known (PL002 needs it)"),
        "active_access_keys": _t("integer", "active access_key credentials that authenticate as it"),
        "identifiers": {**STR_LIST, "description": "e-mails or user names that join it to its person"},
        "flags": FLAGS,
        "named_in": NAMED_IN,
        "grants": GRANTS,
        "assumes": ASSUMES,
        "assumes_by_flag": ASSUMES_BY_FLAG,
    },
    "group": {"members": STR_LIST, "flags": FLAGS, "named_in": NAMED_IN, "grants": GRANTS, "assumes": ASSUMES,
              "assumes_by_flag": ASSUMES_BY_FLAG},
    "role": {
        "assumable_by": STR_LIST,
        "assumable_by_everyone": _t("boolean", "assumable_by contains \"*\""),
        "assume_condition": _t(["string", "null"], "the condition under which it may be assumed (an IAM trust "
                               "policy Condition such as aws:PrincipalOrgID); null when unconditional"),
        "flags": FLAGS,
        "grants": GRANTS,
        "assumes": ASSUMES,
        "assumes_by_flag": ASSUMES_BY_FLAG,
    },
    "credential": {
        "type": {"enum": ["password", "access_key", "api_key", "token", "ssh_key", "certificate", "client_secret"]},
        "status": {"enum": ["active", "inactive", "revoked", "expired"]},
        "principal": _t(["string", "null"], "the principal it authenticates as"),
        "principal_type": _t(["string", "null"], "user, service, external, or person; null when undefined"),
        "principal_flags": {**FLAGS, "description": "flags of the principal it authenticates as"},
        "flags": FLAGS,
        "contradictions": {**STR_LIST, "description": "what the source's record says against itself or leaves out "
                           "(an empty active cell for a key that was used), each with how it was read: fail "
                           "closed (PL003)"},
        "human": _t("boolean", "it authenticates as a person or a user principal"),
        "holders": {"type": "array", "description": "holders as named (or by default, the human behind it)",
                    "items": {"type": "object", "properties": {
                        "id": _t("string", "holder id"),
                        "kind": _t(["string", "null"], "holder kind; null when undefined"),
                        "status": STATUS}}},
        "holder_people": {"type": "array", "description": "distinct people among the holders (accounts and "
                          "groups resolved)", "items": {"type": "object", "properties": {
                              "id": _t("string", "person id"),
                              "status": {"enum": ["active", "departed", "suspended", "leave"]},
                              "departed": DATE, "departed_basis": BASIS}}},
        "created": DATE,
        "last_used": DATE,
        "expires": _t(["string", "null"], "expiry date; null means never", format="date"),
        "mfa": _t(["boolean", "null"], "a second factor is required"),
        "days_since_created": DAYS,
        "days_since_last_used": DAYS,
        "days_unused": _t(["integer", "null"], "days since last use, or since creation when never used"),
        "validity_days": _t(["integer", "null"], "expires − created; null when either is missing"),
        "held_via": HELD_VIA,
    },
    "key": {
        "purpose": {"enum": ["signing", "encryption"]},
        "storage": {"enum": ["hsm", "kms", "vault", "file", "env"]},
        "created": DATE,
        "rotated": DATE,
        "rotation_days": _t("integer", "rotation period in days (365 when not given)"),
        "days_since_rotated": _t(["integer", "null"], "days since last rotation, or since creation"),
        "rotation_overdue_days": _t(["integer", "null"], "days_since_rotated − rotation_days (> 0: overdue)"),
        "readable_by": STR_LIST,
        "signs_for": STR_LIST,
        "signs_for_everyone": _t("boolean", "signs_for contains \"*\""),
        "token_ttl": _t(["string", "null"], "lifetime of the tokens it signs, as written"),
        "token_ttl_seconds": _t(["integer", "null"], "token_ttl in seconds"),
        "protects": STR_LIST,
        "auto_rotate": _t(["boolean", "null"], "the platform rotates it automatically; null when unknown"),
        "scope": SCOPE,
        "flags": FLAGS,
        "protects_customer_data": _t("boolean", "it encrypts a customer-data resource"),
        "readers": {"type": "array", "description": "people with a path to the key (any path in the graph)",
                    "items": {"type": "object", "properties": {
                        "id": _t("string", "person id"),
                        "status": {"enum": ["active", "departed", "suspended", "leave"]},
                        "departed": DATE,
                        "departed_basis": BASIS,
                        "departed_after_rotation": _t("boolean", "departed or suspended, and not provably "
                                                      "before the key's last rotation (or creation)")}}},
        "held_via": HELD_VIA,
    },
    "resource": {
        "type": _t("string", "database, bucket, access_control, …"),
        "data": STR_LIST,
        "customer_data": _t("boolean", "a data class matches --customer-data"),
        "classes": {**STR_LIST, "description": "the customer-data classes it holds"},
        "records": _t(["integer", "null"], "number of records (customer accounts) it holds"),
        "logging": _t(["boolean", "null"], "access logging is on"),
        "log_retention_days": _t(["integer", "null"], "days access logs are kept"),
        "monitoring": _t(["boolean", "null"], "access is monitored and alerted on"),
        "scope": SCOPE,
        "flags": FLAGS,
        "grants": {**GRANTS, "description": "grants on this resource to everyone (direct grants with to: \"*\")"},
    },
}


# facts read off a node's grants, for every kind that has grants (facts.py `_from_grants`)
FROM_GRANTS: dict[str, Schema] = {
    "escalation": {**STR_LIST, "description": "how it can take access its grants do not name, with what that gains: "
                   "admin (or `*`) on an access-control resource or on every resource (`admin on RESOURCE (VIA)`), "
                   "and each AWS privilege-escalation gain (`METHODS: what it gains`), `[if CONDITION]` when "
                   "conditional"},
    "wide_reads": {**STR_LIST, "description": "the data stores of which it reads every one of a kind, as "
                   "`KIND (grant resource)`, with ` [if CONDITION]` for a conditional grant, from its grants' "
                   "`reads_every`"},
}


def facts_schema(kind: str) -> Schema:
    properties = {**COMMON, **KINDS[kind]}
    if "grants" in properties:
        properties.update(FROM_GRANTS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"policylint facts: {kind}",
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }
