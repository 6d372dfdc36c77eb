"""IAM members (`user:alice@example.com`, `allUsers`, `deleted:…`, `principal://…`) to model ids and nodes.

`member_id` names the node a member stands for; `member_node` builds that node. Both depend on the member string
only, so every file that names a member implies the very same node, and the join stage (or any other caller) can
build it from a name alone.
"""

from __future__ import annotations

import re

from policylint.errors import InputError
from policylint.flags import BUILTIN, DELETED, GCP_CONVENIENCE, GCP_DOMAIN, GCP_FEDERATED, GCP_PRINCIPAL_SET
from policylint.model import EVERYONE, Group, Location, Principal
from policylint.sources.gcp.common import shown

PREFIX = "gcp:"
EVERYONE_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers", "principalSet://goog/public:all"})
_EMAIL = r"[^@\s:?]+@[^@\s:?]+"
_SHAPES = {
    "user": re.compile(_EMAIL),
    "serviceAccount": re.compile(_EMAIL),
    "group": re.compile(_EMAIL),
    "domain": re.compile(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    # deleted:user:… / serviceAccount / group with its uid, and deleted federated identities (deleted:principal://…)
    "deleted": re.compile(rf"(?:(?:user|serviceAccount|group):{_EMAIL}(?:\?uid=\d+)?|(?:principal|principalSet)://\S+)"),
    "projectOwner": re.compile(r"[a-z0-9.:-]+"),
    "projectEditor": re.compile(r"[a-z0-9.:-]+"),
    "projectViewer": re.compile(r"[a-z0-9.:-]+"),
}
_FEDERATED = re.compile(r"(principal|principalSet)://\S+")
# Google-managed service agents: Google's own identities, not the customer's (the contract's `builtin`)
_SERVICE_AGENT = re.compile(
    r"service-\d+@[a-z0-9.-]+\.gserviceaccount\.com"
    r"|\d+@(?:cloudservices|cloudbuild)\.gserviceaccount\.com"
    r"|[^@]+@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com",
)
EXPECTED = ("a member such as user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, allUsers, "
            "allAuthenticatedUsers, deleted:user:EMAIL?uid=N, principal://… or principalSet://…")


def check_member(member: object, location: Location) -> str:
    """The member, when it has a shape gcloud prints; a located error otherwise."""
    if isinstance(member, str):
        if member in EVERYONE_MEMBERS or _FEDERATED.fullmatch(member):
            return member
        kind, _, rest = member.partition(":")
        shape = _SHAPES.get(kind)
        if shape is not None and shape.fullmatch(rest):
            return member
    raise InputError(location, f"expected {EXPECTED}, found {shown(member)}")


def member_id(member: str) -> str:
    """The id of the node a (checked) member stands for; `*` for the public."""
    return EVERYONE if member in EVERYONE_MEMBERS else PREFIX + member


def is_service_agent(email: str) -> bool:
    """Whether a service account is one of Google's service agents (`service-N@gcp-sa-….iam.gserviceaccount.com`)."""
    return _SERVICE_AGENT.fullmatch(email) is not None


def is_public(member: str) -> bool:
    return member in EVERYONE_MEMBERS


def member_node(member: str, location: Location) -> Principal | Group | None:
    """The node a (checked) member stands for; None for the public (`*` needs no node)."""
    if member in EVERYONE_MEMBERS:
        return None
    node_id = member_id(member)
    if member.startswith(("principal://", "principalSet://")):
        return _federated(node_id, member, location)
    kind, _, rest = member.partition(":")
    if kind == "user":
        return Principal(node_id, location, "user", identifiers=(rest,))
    if kind == "serviceAccount":
        return Principal(node_id, location, "service", flags=(BUILTIN,) if is_service_agent(rest) else ())
    if kind == "group":
        return Group(node_id, location)
    if kind == "domain":
        return Group(node_id, location, flags=(GCP_DOMAIN,))
    if kind == "deleted":
        return _deleted(node_id, rest, location)
    # projectOwner:P, projectEditor:P, projectViewer:P: whoever holds that basic role on project P
    basic = {"projectOwner": "owner", "projectEditor": "editor", "projectViewer": "viewer"}[kind]
    return Group(node_id, location, members=(f"{PREFIX}projects/{rest}:roles/{basic}",), flags=(GCP_CONVENIENCE,))


def _deleted(node_id: str, rest: str, location: Location) -> Principal | Group:
    """A deleted account keeps no identifiers: nobody can sign in as it, so it must not join a person."""
    kind = rest.partition(":")[0]
    if kind in ("group", "principalSet"):
        return Group(node_id, location, flags=(DELETED,))
    return Principal(node_id, location, "user" if kind == "user" else "service", flags=("deleted",))


def _federated(node_id: str, member: str, location: Location) -> Principal | Group:
    """Workforce pools are people signing in through an outside IdP; workload pools are outside machines."""
    workforce = "/workforcePools/" in member
    if member.startswith("principalSet://"):
        if workforce:
            return Group(node_id, location, flags=(GCP_PRINCIPAL_SET,))
        return Principal(node_id, location, "external", flags=(GCP_PRINCIPAL_SET,))
    if workforce:
        subject = member.rpartition("/subject/")[2]
        return Principal(node_id, location, "user", identifiers=(subject,) if subject else (),
                         flags=(GCP_FEDERATED,))
    return Principal(node_id, location, "external", flags=(GCP_FEDERATED,))
