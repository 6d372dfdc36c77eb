"""A small organisation for the pipeline tests: a departed engineer's key that reaches customer data, in two files."""

from __future__ import annotations

from pathlib import Path

from helpers import write

PEOPLE = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14, emails: [kim.jh@example.com]}
  - {id: lee.sy, status: active}
  - {id: park.mj, status: active}
principals:
  - {id: order-sync, type: service, owner: lee.sy}
groups:
  - {id: auth-platform, members: [lee.sy]}
"""

ACCESS = """
policylint: 1
roles:
  - id: customer-db-reader
    assumable_by: [auth-platform, order-sync]
    grants:
      - {resource: customer-db, actions: [read]}
credentials:
  - {id: ak-7731, type: access_key, principal: order-sync, holders: [kim.jh], status: active, created: 2025-02-01, last_used: 2025-11-02, expires: 2026-02-01}
resources:
  - {id: customer-db, type: database, data: [customer_pii], records: 33700000, logging: true, log_retention_days: 730, monitoring: true}
"""


def make_org(folder: Path) -> Path:
    write(folder, "org/people.yaml", PEOPLE)
    write(folder, "org/access.yaml", ACCESS)
    return folder / "org"


# The pre-commit hook's organisation: clean at HEAD, laid out so that a commit's finding lands in another file.
HOOK_PEOPLE = """
policylint: 1
people:
  - {id: kim.jh, status: departed, departed: 2025-06-14, emails: [kim.jh@example.com]}
  - {id: lee.sy, status: active}
principals:
  - {id: kim-console, type: user, person: kim.jh}
groups:
  - {id: auth-platform, members: [lee.sy]}
"""
HOOK_SERVICES = """
policylint: 1
principals:
  - {id: order-sync, type: service, owner: lee.sy}
roles:
  - id: customer-db-reader
    assumable_by: [order-sync]
    grants:
      - {resource: customer-db, actions: [read]}
"""
HOOK_CREDENTIALS = """
policylint: 1
credentials:
  - {id: ak-1, type: access_key, principal: order-sync, holders: [lee.sy], status: active, created: 2026-09-01, last_used: 2026-11-20}
"""
SECOND_KEY = ("  - {id: ak-2, type: access_key, principal: order-sync, holders: [lee.sy], status: active, "
              "created: 2026-11-01, last_used: 2026-11-20}\n")
HOOK_KEYS = """
policylint: 1
keys:
  - {id: auth-jwt-signing, purpose: signing, storage: kms, created: 2026-01-01, rotated: 2026-10-01, rotation_days: 90, readable_by: [auth-platform], signs_for: [order-sync], token_ttl: 1h}
resources:
  - {id: customer-db, type: database, data: [customer_pii], records: 1000, logging: true, log_retention_days: 730, monitoring: true}
"""


def make_hook_org(folder: Path) -> Path:
    write(folder, ".policylint.yaml", "paths: [inv]\n")
    for name, text in {"people": HOOK_PEOPLE, "services": HOOK_SERVICES, "credentials": HOOK_CREDENTIALS,
                       "keys": HOOK_KEYS}.items():
        write(folder, f"inv/{name}.yaml", text)
    return folder / "inv"
