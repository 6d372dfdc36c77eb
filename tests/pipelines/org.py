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
