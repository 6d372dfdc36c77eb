"""Deterministic synthetic organisations in the policylint native format (v1), for benchmarks.

    python benchmarks/generate.py SIZE OUTDIR        # SIZE: repo | enterprise | enterprise-2x | -4x | -8x

The same SIZE always gives byte-identical files: one seeded `random.Random`, only lists and dicts (never iteration
over sets), dates relative to a fixed reference day. No dependencies beyond the standard library.

The organisation is laid out as a real repository would be: one file per team for people, identities and
credentials (credentials split into chunks of at most CHUNK entries), one file per domain for roles, groups and
data stores, one keys.yaml. Every file starts with `policylint: 1`; entities are block-style lists of flow mappings.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 1
REFERENCE_DAY = date(2026, 11, 27)  # the benchmark's --as-of; every date is relative to it
MARKER = ".policylint-bench"  # written into OUTDIR; only a folder holding it (or an empty one) is ever replaced
CHUNK = 500  # credentials per file at most


@dataclass(frozen=True)
class Size:
    seed: int
    people: int
    principals: int
    credentials: int
    roles: int
    resources: int
    keys: int
    domains: int
    team_size: tuple[int, int]
    externals: int
    iam_admins: int
    everyone_signing_keys: int


SIZES: dict[str, Size] = {
    "repo": Size(seed=20261127, people=500, principals=900, credentials=2_000, roles=150, resources=60, keys=40,
                 domains=6, team_size=(30, 70), externals=15, iam_admins=4, everyone_signing_keys=1),
    "enterprise": Size(seed=20261128, people=50_000, principals=100_000, credentials=300_000, roles=20_000,
                       resources=5_000, keys=2_000, domains=40, team_size=(40, 110), externals=1_000,
                       iam_admins=25, everyone_signing_keys=2),
}
# The enterprise scaled k times (issue 13's linearity targets): everything that grows with a company grows k-fold;
# the domains (named from a list) and team sizes stay, so there are k times as many teams.
for _k in (2, 4, 8):
    _e = SIZES["enterprise"]
    SIZES[f"enterprise-{_k}x"] = Size(
        seed=_e.seed + _k, people=_e.people * _k, principals=_e.principals * _k, credentials=_e.credentials * _k,
        roles=_e.roles * _k, resources=_e.resources * _k, keys=_e.keys * _k, domains=_e.domains,
        team_size=_e.team_size, externals=_e.externals * _k, iam_admins=_e.iam_admins * _k,
        everyone_signing_keys=_e.everyone_signing_keys)

DOMAINS = [
    "payments", "orders", "identity", "search", "catalog", "logistics", "billing", "checkout", "fraud", "support",
    "marketing", "analytics", "messaging", "notifications", "inventory", "pricing", "recommendations", "reviews",
    "shipping", "returns", "loyalty", "ads", "media", "mobile", "web", "platform", "security", "data", "ml",
    "finance", "people-ops", "legal", "growth", "partners", "warehouse", "fulfillment", "accounts", "storage",
    "network", "observability", "compliance", "tax", "crm", "sellers", "delivery",
]
TEAM_WORDS = [
    "core", "api", "platform", "data", "infra", "web", "mobile", "ops", "sre", "ml", "backend", "frontend",
    "integrations", "quality", "tooling", "ledger", "sync", "edge", "experience", "insights", "reliability",
    "pipeline", "storage", "gateway",
]
GIVEN = [
    "kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "oh", "seo", "shin", "kwon",
    "hwang", "ahn", "song", "ryu", "hong", "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines",
    "jonas", "kira", "liam", "maya", "noah", "olga", "paul", "quinn", "rosa", "sam", "tara", "umar", "vera",
    "will", "xena", "yusuf", "zoe", "amir", "bea", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jade",
    "kai", "lena", "marco", "nina", "omar", "priya", "rafael", "sofia", "tom", "uma", "victor", "wen", "yara",
]
FAMILY = [
    "jh", "sy", "mk", "dh", "yj", "hs", "jw", "sm", "tk", "bc", "smith", "garcia", "muller", "rossi", "dubois",
    "novak", "silva", "kowalski", "nielsen", "tanaka", "sato", "wang", "li", "zhang", "nguyen", "tran", "kumar",
    "singh", "patel", "ivanova", "petrov", "haddad", "mensah", "okafor", "adeyemi", "costa", "lopez", "martin",
    "bernard", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "jansen", "devries",
    "bakker", "visser", "lindqvist", "berg", "hansen", "johansson", "larsen", "virtanen", "korhonen", "murphy",
    "kelly", "byrne", "walsh", "obrien", "santos", "pereira", "ferreira", "almeida", "yilmaz", "kaya", "demir",
    "sahin", "cohen", "levi", "mizrahi", "friedman", "kaplan", "moreau", "laurent", "fontaine", "chevalier",
]
SERVICE_WORDS = [
    "sync", "worker", "api", "batch", "etl", "ci", "deploy", "cron", "exporter", "indexer", "gateway",
    "scheduler", "notifier", "reporter", "ingest", "consumer", "producer", "migrator", "backup", "monitor",
]
PARTNERS = [
    "analytics-co", "payroll-vendor", "support-outsourcing", "cdn-provider", "ads-network", "survey-tool",
    "crm-vendor", "logistics-partner", "fraud-scoring", "email-delivery", "sms-gateway", "bi-consultants",
]
RESOURCE_TYPES = [("database", "db"), ("bucket", "bucket"), ("table", "table"), ("queue", "queue"),
                  ("service", "svc"), ("cache", "cache"), ("warehouse", "dw"), ("index", "index")]
RESOURCE_NOUNS = [
    "orders", "profiles", "events", "sessions", "invoices", "addresses", "carts", "tickets", "audit", "ledger",
    "reports", "exports", "features", "metrics", "media", "documents", "messages", "accounts", "contacts",
    "history", "snapshots", "archive", "staging", "config", "catalog", "payouts", "refunds", "shipments",
]
CUSTOMER_CLASSES = ["customer_pii", "customer_payment", "customer_orders", "customer_contact", "customer_support"]
OTHER_CLASSES = ["internal", "telemetry", "employee_pii", "public", "financial", "source_code"]
ROLE_PURPOSES = [  # (suffix, actions)
    ("reader", ["read"]), ("analyst", ["read"]), ("auditor", ["read"]), ("support", ["read"]),
    ("writer", ["read", "write"]), ("backfill", ["read", "write"]), ("migrator", ["read", "write", "delete"]),
    ("operator", ["read", "write", "delete"]), ("deployer", ["read", "write"]), ("debugger", ["read"]),
    ("oncall", ["read", "write"]), ("admin", ["admin"]), ("owner", ["*"]),
]
CREDENTIAL_PREFIX = {"password": "pw", "access_key": "ak", "api_key": "apik", "token": "tok", "ssh_key": "ssh",
                     "certificate": "cert", "client_secret": "cs"}


# --------------------------------------------------------------------------------------------------- YAML output

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.@/+\-]*(?: [A-Za-z0-9_.@/+\-]+)*$|^\d{4}-\d{2}-\d{2}$|^\d+[smhdw]$")
_RESERVED = {"y", "Y", "n", "N", "yes", "no", "on", "off", "true", "false", "null", "Yes", "No", "On", "Off",
             "True", "False", "Null", "YES", "NO", "ON", "OFF", "TRUE", "FALSE", "NULL"}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


class Doc:
    """One native file: `policylint: 1`, a comment, then its sections (adding to a section twice extends it)."""

    def __init__(self, comment: str) -> None:
        self.comment = comment
        self.sections: dict[str, list[str]] = {}

    def section(self, name: str, items: list[dict[str, Any]]) -> None:
        if items:
            self.sections.setdefault(name, []).extend(f"  - {flow(item)}" for item in items)

    def block_section(self, name: str, items: list[dict[str, Any]], wrap: int = 8) -> None:
        """Entities with nested lists (roles, groups): a block mapping per entity, long lists as block lists."""
        if not items:
            return
        lines = self.sections.setdefault(name, [])
        for item in items:
            first = True
            for key, value in item.items():
                lead = "  - " if first else "    "
                first = False
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    lines.append(f"{lead}{key}:")
                    lines.extend(f"      - {flow(v)}" for v in value)
                elif isinstance(value, list) and len(value) > wrap:
                    lines.append(f"{lead}{key}:")
                    lines.extend(f"      - {scalar(v)}" for v in value)
                else:
                    lines.append(f"{lead}{key}: {flow(value)}")

    def text(self) -> str:
        lines = ["policylint: 1", f"# {self.comment}"]
        for name, body in self.sections.items():
            lines.append(f"{name}:")
            lines.extend(body)
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- the organisation


class Org:
    def __init__(self, size: Size) -> None:
        self.size = size
        self.rng = random.Random(size.seed)
        self.used: dict[str, int] = {}
        self.files: dict[str, Doc] = {}
        self.stats: dict[str, int] = {}

    # ---- helpers

    def unique(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`… (ids are unique across the whole inventory)."""
        if base not in self.used:
            self.used[base] = 1
            return base
        n = self.used[base]
        while True:
            n += 1
            candidate = f"{base}-{n}"
            if candidate not in self.used:
                break
        self.used[base] = n
        self.used[candidate] = 1
        return candidate

    def day_between(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, max(span, 0)))

    def doc(self, path: str, comment: str) -> Doc:
        if path not in self.files:
            self.files[path] = Doc(comment)
        return self.files[path]

    def add(self, stat: str, n: int = 1) -> None:
        self.stats[stat] = self.stats.get(stat, 0) + n

    # ---- build

    def build(self) -> None:
        self.make_teams()
        self.make_people()
        self.make_principals()
        self.make_groups()
        self.make_resources()
        self.make_roles()
        self.make_direct_grants()
        self.make_credentials()
        self.make_keys()
        self.write_docs()

    def make_teams(self) -> None:
        s, rng = self.size, self.rng
        self.domains = [self.unique(d) for d in DOMAINS[: s.domains]]
        sizes: list[int] = []
        left = s.people
        while left > 0:
            n = min(rng.randint(*s.team_size), left)
            if left - n < s.team_size[0]:
                n = left
            sizes.append(n)
            left -= n
        self.teams: list[dict[str, Any]] = []
        for i, n in enumerate(sizes):
            domain = self.domains[i % len(self.domains)] if i < len(self.domains) else rng.choice(self.domains)
            word = TEAM_WORDS[rng.randrange(len(TEAM_WORDS))]
            self.teams.append({"id": self.unique(f"{domain}-{word}"), "domain": domain, "size": n,
                               "people": [], "services": [], "users": []})
        self.teams_of: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        for team in self.teams:
            self.teams_of[team["domain"]].append(team)

    def make_people(self) -> None:
        rng = self.rng
        self.people: list[dict[str, Any]] = []
        oldest = REFERENCE_DAY - timedelta(days=3 * 365)
        for team in self.teams:
            for _ in range(team["size"]):
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                pid = self.unique(f"{given}.{family}")
                roll = rng.random()
                person: dict[str, Any] = {"id": pid}
                if roll < 0.08:
                    person["status"] = "departed"
                    person["departed"] = self.day_between(oldest, REFERENCE_DAY - timedelta(days=1))
                elif roll < 0.10:
                    person["status"] = "suspended"
                elif roll < 0.11:
                    person["status"] = "leave"
                else:
                    person["status"] = "active"
                person["name"] = f"{given.capitalize()} {family.capitalize()}"
                person["team"] = team["id"]
                person["emails"] = [f"{pid}@example.com"]
                team["people"].append(person)
                self.people.append(person)
        self.person_by_id = {p["id"]: p for p in self.people}
        self.active_people = [p for p in self.people if p["status"] == "active"]
        self.add("people", len(self.people))

    def make_principals(self) -> None:
        s, rng = self.size, self.rng
        users = round(s.people * 0.92)
        services = s.principals - users - s.externals
        chosen = rng.sample(range(len(self.people)), users)
        chosen.sort()
        self.principals: list[dict[str, Any]] = []
        team_of_person = {p["id"]: t for t in self.teams for p in t["people"]}
        for i in chosen:
            person = self.people[i]
            principal = {"id": self.unique(f"{person['id']}-console"), "type": "user", "person": person["id"]}
            team_of_person[person["id"]]["users"].append(principal)
            self.principals.append(principal)
        weights = [t["size"] for t in self.teams]
        for team in rng.choices(self.teams, weights=weights, k=services):
            owner = rng.choice(team["people"])
            word = rng.choice(SERVICE_WORDS)
            principal = {"id": self.unique(f"{team['id']}-{word}"), "type": "service", "owner": owner["id"]}
            team["services"].append(principal)
            self.principals.append(principal)
        self.externals: list[dict[str, Any]] = []
        for _ in range(s.externals):
            owner = rng.choice(self.people)
            principal = {"id": self.unique(f"ext-{rng.choice(PARTNERS)}"), "type": "external", "owner": owner["id"]}
            self.externals.append(principal)
            self.principals.append(principal)
        self.add("principals", len(self.principals))
        self.add("principals_user", users)
        self.add("principals_service", services)
        self.add("principals_external", s.externals)

    def make_groups(self) -> None:
        rng = self.rng
        self.team_groups: dict[str, dict[str, Any]] = {}
        self.domain_groups: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        for team in self.teams:
            members = [p["id"] for p in team["people"]]
            if team["services"]:
                members += [p["id"] for p in rng.sample(team["services"], max(1, len(team["services"]) // 3))]
            self.team_groups[team["id"]] = {"id": team["id"], "members": members}
        for domain in self.domains:
            teams = self.teams_of[domain]
            domain_people = [p for t in teams for p in t["people"]]
            groups = self.domain_groups[domain]
            groups.append({"id": self.unique(f"{domain}-all"), "members": [t["id"] for t in teams]})
            groups.append({"id": self.unique(f"{domain}-oncall"),
                           "members": [p["id"] for p in rng.sample(domain_people, min(8, len(domain_people)))]})
            groups.append({"id": self.unique(f"{domain}-admins"),
                           "members": [p["id"] for p in rng.sample(domain_people, min(4, len(domain_people)))]})
            for _ in range(len(teams)):  # cross-team projects
                n = min(len(domain_people), rng.randint(30, 220))
                groups.append({"id": self.unique(f"{domain}-project-{rng.choice(RESOURCE_NOUNS)}"),
                               "members": [p["id"] for p in rng.sample(domain_people, n)]})
        # company-wide groups; the people in them come from every team
        self.company_groups = []
        small = len(self.people) <= 5000
        for name, n in (("security", 30), ("sre", 60), ("dba", 25), ("data-science", 80),
                        ("iam-admins", self.size.iam_admins), ("auth-platform", 12)):
            n = min(max(2, n // 5) if small and name != "iam-admins" else n, len(self.people))
            self.company_groups.append({"id": self.unique(name),
                                        "members": [p["id"] for p in rng.sample(self.people, n)]})
        for _ in range(max(2, len(self.people) // 1000)):
            group = rng.choice(list(self.team_groups.values()))
            group["members"].append(self.unique(f"{rng.choice(GIVEN)}.{rng.choice(FAMILY)}"))  # defined nowhere
        self.add("stale_member_names", max(2, len(self.people) // 1000))
        self.all_groups = [*self.team_groups.values(), *[g for gs in self.domain_groups.values() for g in gs],
                           *self.company_groups]
        self.add("groups", len(self.all_groups))
        self.add("edges_member", sum(len(g["members"]) for g in self.all_groups))

    def make_resources(self) -> None:
        s, rng = self.size, self.rng
        self.resources_of: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        self.resources: list[dict[str, Any]] = []
        for i in range(s.resources - 1):
            domain = self.domains[i % len(self.domains)]
            rtype, short = rng.choice(RESOURCE_TYPES)
            resource: dict[str, Any] = {"id": self.unique(f"{domain}-{rng.choice(RESOURCE_NOUNS)}-{short}"),
                                        "type": rtype}
            if rng.random() < 0.30:
                resource["data"] = rng.sample(CUSTOMER_CLASSES, rng.choice([1, 1, 2, 3]))
                resource["records"] = int(10 ** rng.uniform(3, 7.7))
                self.add("resources_customer_data")
            elif rng.random() < 0.7:
                resource["data"] = rng.sample(OTHER_CLASSES, rng.choice([1, 1, 2]))
                if rng.random() < 0.5:
                    resource["records"] = int(10 ** rng.uniform(2, 6))
            resource["logging"] = rng.random() < 0.85
            if resource["logging"]:
                resource["log_retention_days"] = rng.choice([30, 90, 180, 365, 730])
            resource["monitoring"] = rng.random() < 0.7
            self.resources_of[domain].append(resource)
            self.resources.append(resource)
        self.iam = {"id": self.unique("iam"), "type": "access_control"}
        self.resources.append(self.iam)
        self.add("resources", len(self.resources))

    def make_roles(self) -> None:
        s, rng = self.size, self.rng
        self.roles_of: dict[str, list[dict[str, Any]]] = {d: [] for d in self.domains}
        special = 2
        weights = [t["size"] for t in self.teams]
        count_for = {t["id"]: 0 for t in self.teams}
        for team in rng.choices(self.teams, weights=weights, k=s.roles - special):
            count_for[team["id"]] += 1
        all_roles: list[dict[str, Any]] = []
        for team in self.teams:
            domain = team["domain"]
            oncall, admins = self.domain_groups[domain][1]["id"], self.domain_groups[domain][2]["id"]
            for _ in range(count_for[team["id"]]):
                suffix, actions = rng.choice(ROLE_PURPOSES)
                role: dict[str, Any] = {"id": self.unique(f"{team['id']}-{suffix}")}
                who = [team["id"]]
                if team["services"]:
                    who += [p["id"] for p in rng.sample(team["services"], min(len(team["services"]),
                                                                               rng.randint(0, 3)))]
                if suffix in ("oncall", "operator", "debugger") or rng.random() < 0.15:
                    who.append(oncall)
                if suffix in ("admin", "owner"):
                    who.append(admins)
                if rng.random() < 0.1:  # another team of the domain shares it
                    who.append(rng.choice(self.teams_of[domain])["id"])
                if rng.random() < 0.25:  # a cross-team project uses it
                    who.append(rng.choice(self.domain_groups[domain][3:])["id"])
                if rng.random() < 0.02 and all_roles:  # role chaining
                    who.append(rng.choice(all_roles)["id"])
                if rng.random() < 0.01:
                    who.append(rng.choice(self.company_groups)["id"])
                role["assumable_by"] = list(dict.fromkeys(who))
                pool = self.resources_of[domain]
                grants = []
                for _ in range(rng.randint(1, 6)):
                    target = rng.choice(pool) if rng.random() < 0.85 else rng.choice(self.resources[:-1])
                    grants.append({"resource": target["id"], "actions": list(actions)})
                role["grants"] = list({g["resource"]: g for g in grants}.values())
                self.roles_of[domain].append(role)
                all_roles.append(role)
        self.platform_roles = [
            {"id": self.unique("iam-admin"), "assumable_by": [self.company_groups[4]["id"]],
             "grants": [{"resource": self.iam["id"], "actions": ["admin"]}]},
            {"id": self.unique("status-page-viewer"), "assumable_by": ["*"],
             "grants": [{"resource": rng.choice([r for r in self.resources[:-1] if "records" not in r])["id"],
                         "actions": ["read"]}]},
        ]
        all_roles += self.platform_roles
        self.add("roles", len(all_roles))
        self.add("edges_assumable_by", sum(len(r["assumable_by"]) for r in all_roles))
        self.add("edges_role_grants", sum(len(r["grants"]) for r in all_roles))

    def make_direct_grants(self) -> None:
        rng = self.rng
        self.direct_grants = []
        for ext in self.externals:
            for target in rng.sample(self.resources[:-1], rng.randint(1, 2)):
                self.direct_grants.append({"to": ext["id"], "resource": target["id"], "actions": ["read"]})
        self.add("edges_direct_grants", len(self.direct_grants))

    def make_credentials(self) -> None:
        s, rng = self.size, self.rng
        owners: list[tuple[dict[str, Any], str]] = []  # (principal, file stem)
        for team in self.teams:
            owners += [(p, team["id"]) for p in team["users"]]
            owners += [(p, team["id"]) for p in team["services"]]
        owners += [(p, "partners") for p in self.externals]
        picks = list(range(len(owners)))  # every principal has at least one credential
        weights = [1 if p["type"] == "user" else 3 for p, _ in owners]
        picks += rng.choices(range(len(owners)), weights=weights, k=s.credentials - len(owners))
        picks.sort()
        oldest = REFERENCE_DAY - timedelta(days=3 * 365)
        self.credentials_by_stem: dict[str, list[dict[str, Any]]] = {}
        holder_edges = 0
        first_of_user: set[int] = set()
        team_people = {t["id"]: t["people"] for t in self.teams}
        for n, i in enumerate(picks):
            principal, stem = owners[i]
            ptype = principal["type"]
            if ptype == "user":
                ctype = "password" if i not in first_of_user else rng.choice(["ssh_key", "token", "ssh_key",
                                                                               "access_key"])
                first_of_user.add(i)
            elif ptype == "service":
                ctype = rng.choice(["access_key", "access_key", "api_key", "token", "certificate", "client_secret",
                                    "ssh_key"])
            else:
                ctype = rng.choice(["api_key", "client_secret", "access_key"])
            created = self.day_between(oldest, REFERENCE_DAY - timedelta(days=1))
            cred: dict[str, Any] = {"id": f"{CREDENTIAL_PREFIX[ctype]}-{n:06d}", "type": ctype,
                                    "principal": principal["id"]}
            holders: list[str] | None = None
            if ptype != "user" and rng.random() < 0.2:  # shared secrets: named holders
                people = team_people.get(stem) or self.people
                holders = [p["id"] for p in rng.sample(people, min(len(people), rng.randint(1, 4)))]
                if rng.random() < 0.05 and stem in self.team_groups:
                    holders.append(stem)  # held by a whole team
                cred["holders"] = holders
            holder_edges += len(holders) if holders is not None else 1
            person = self.person_by_id.get(principal.get("person") or principal.get("owner") or "")
            roll = rng.random()
            if person is not None and person["status"] == "departed" and ptype == "user":
                status = "active" if roll < 0.15 else rng.choice(["revoked", "inactive"])  # offboarding mostly worked
            else:
                status = "active" if roll < 0.82 else "inactive" if roll < 0.90 else "revoked" if roll < 0.95 \
                    else "expired"
            cred["status"] = status
            cred["created"] = created
            use = rng.random()
            if use < 0.07:
                cred["last_used"] = None  # never used
            elif status == "active" and use < 0.75:  # most live secrets are in daily use
                cred["last_used"] = self.day_between(max(created, REFERENCE_DAY - timedelta(days=30)), REFERENCE_DAY)
            else:
                cred["last_used"] = self.day_between(created, REFERENCE_DAY)
            if ctype == "certificate":
                cred["expires"] = created + timedelta(days=rng.choice([90, 365, 730]))
            elif ctype in ("token", "api_key", "client_secret") and rng.random() < 0.6:
                cred["expires"] = created + timedelta(days=rng.choice([30, 90, 365, 730]))
            else:
                cred["expires"] = None
            cred["mfa"] = rng.random() < 0.85 if ctype == "password" else False
            self.credentials_by_stem.setdefault(stem, []).append(cred)
        self.add("credentials", len(picks))
        self.add("edges_credential_holders", holder_edges)
        self.add("edges_credential_principal", len(picks))

    def make_keys(self) -> None:
        s, rng = self.size, self.rng
        self.keys = []
        oldest = REFERENCE_DAY - timedelta(days=5 * 365)
        auth_team = self.company_groups[5]["id"]
        for i in range(s.keys):
            domain = self.domains[i % len(self.domains)]
            teams = self.teams_of[domain]
            created = self.day_between(oldest, REFERENCE_DAY - timedelta(days=30))
            rotated = self.day_between(created, REFERENCE_DAY) if rng.random() < 0.8 else created
            readers = [t["id"] for t in rng.sample(teams, min(len(teams), rng.randint(1, 2)))]
            if rng.random() < 0.3:
                readers.append(self.domain_groups[domain][1]["id"])
            if rng.random() < 0.2 and self.roles_of[domain]:
                readers.append(rng.choice(self.roles_of[domain])["id"])
            if i < s.everyone_signing_keys:
                key: dict[str, Any] = {"id": self.unique(f"auth-jwt-signing-{i + 1}" if i else "auth-jwt-signing"),
                                       "purpose": "signing", "storage": "file", "created": created,
                                       "rotated": created, "rotation_days": 90, "readable_by": [auth_team],
                                       "signs_for": ["*"], "token_ttl": "365d"}
            elif rng.random() < 0.3:
                services = [p for t in teams for p in t["services"]]
                key = {"id": self.unique(f"{domain}-signing"), "purpose": "signing",
                       "storage": rng.choice(["hsm", "kms", "vault", "file", "env"]), "created": created,
                       "rotated": rotated, "rotation_days": rng.choice([90, 180, 365]),
                       "readable_by": readers,
                       "signs_for": [p["id"] for p in rng.sample(services, min(len(services), rng.randint(1, 5)))],
                       "token_ttl": rng.choice(["15m", "1h", "24h", "30d", "365d"])}
            else:
                pool = self.resources_of[domain]
                key = {"id": self.unique(f"{domain}-data-key"), "purpose": "encryption",
                       "storage": rng.choice(["kms", "kms", "vault", "hsm", "file"]), "created": created,
                       "rotated": rotated, "rotation_days": rng.choice([90, 180, 365]),
                       "readable_by": readers,
                       "protects": [r["id"] for r in rng.sample(pool, min(len(pool), rng.randint(1, 3)))]}
            self.keys.append(key)
        self.add("keys", len(self.keys))
        self.add("edges_key_readable_by", sum(len(k["readable_by"]) for k in self.keys))
        self.add("edges_key_signs_for", sum(len(k.get("signs_for", ())) for k in self.keys))

    # ---- files

    def write_docs(self) -> None:
        for team in self.teams:
            tid = team["id"]
            self.doc(f"people/{tid}.yaml", f"HR roster: team {tid} ({team['domain']})").section(
                "people", team["people"])
            doc = self.doc(f"identities/{tid}.yaml", f"accounts and service identities of team {tid}")
            doc.section("principals", team["users"] + team["services"])
            doc.block_section("groups", [self.team_groups[tid]])
        partners = self.doc("identities/partners.yaml", "third parties")
        partners.section("principals", self.externals)
        self.doc("grants/partners.yaml", "direct grants to third parties").section("grants", self.direct_grants)
        for domain in self.domains:
            self.doc(f"groups/{domain}.yaml", f"groups of the {domain} domain").block_section(
                "groups", self.domain_groups[domain])
            self.doc(f"roles/{domain}.yaml", f"roles of the {domain} domain").block_section(
                "roles", self.roles_of[domain])
            self.doc(f"data/{domain}.yaml", f"data stores of the {domain} domain").section(
                "resources", self.resources_of[domain])
        self.doc("groups/company.yaml", "company-wide groups").block_section("groups", self.company_groups)
        self.doc("roles/platform.yaml", "platform roles").block_section("roles", self.platform_roles)
        self.doc("data/access.yaml", "access control planes").section("resources", [self.iam])
        self.doc("keys.yaml", "key management").section("keys", self.keys)
        for stem, creds in self.credentials_by_stem.items():
            for n in range(0, len(creds), CHUNK):
                self.doc(f"credentials/{stem}-{n // CHUNK + 1:02d}.yaml", f"credentials of {stem}").section(
                    "credentials", creds[n:n + CHUNK])


def generate(size_name: str, outdir: str | Path) -> dict[str, Any]:
    """Write the organisation of `size_name` into `outdir` (replacing a previous run there); return its stats."""
    size = SIZES[size_name]
    out = Path(outdir)
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise SystemExit(f"refusing to replace {out}: it is not empty and was not made by this generator")
        shutil.rmtree(out)
    org = Org(size)
    org.build()
    out.mkdir(parents=True)
    total = 0
    for rel in sorted(org.files):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = org.files[rel].text().encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    stats = dict(sorted(org.stats.items()))
    stats["edges_declared"] = sum(v for k, v in stats.items() if k.startswith("edges_"))
    stats["files"] = len(org.files)
    stats["bytes"] = total
    (out / MARKER).write_text(json.dumps({"size": size_name, "generator": GENERATOR_VERSION, "stats": stats},
                                         indent=1, sort_keys=True) + "\n")
    return stats


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in SIZES:
        print(f"usage: python benchmarks/generate.py {{{'|'.join(SIZES)}}} OUTDIR", file=sys.stderr)
        return 2
    stats = generate(argv[0], argv[1])
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
