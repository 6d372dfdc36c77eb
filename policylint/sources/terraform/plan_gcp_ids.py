"""The GCP resource names of a plan's resources, as gcloud and the GCP reader write them (`projects/P/…`), and what
an attribute naming one (a project, a bucket, a key ring, a service account) stands for.

- A resource's project is its `project` value (Terraform's `projects/P` form read as `P`). A project the plan leaves
  to apply time (a provider older than 5.0 fills in its default project only then) is the plan's own unknown
  project, `provider-project.<file>` (the file, as `plan` names what it leaves unnamed, in lower case with every
  run of other characters than letters and digits a `-`, as a member `projectViewer:P` and an e-mail's domain
  allow): one per plan, so that its resources meet each other, and never a real project (no `.` in those).
- A service account is `projects/P/serviceAccounts/EMAIL`, its e-mail `ACCOUNT_ID@P.iam.gserviceaccount.com`
  unless the plan knows it; a key ring `projects/P/locations/L/keyRings/R`, a key that and `/cryptoKeys/K`; a
  dataset `projects/P/datasets/D`.
- A bucket is `projects/P/buckets/B` when the plan defines it with a known project, so that a project's storage roles
  (`gcp:projects/P/*`) reach it; else `projects/_/buckets/B`, as a gcloud dump of a bucket's policy names it.
- An attribute that names one of these (`key_ring = google_kms_key_ring.app.id`, a member
  `serviceAccount:${google_service_account.app.email}`) is the plan's resource it references when the value is
  not known (`plan_open`), else the text as written, in either of the provider's forms (`P/L/R`, `b/NAME`).
"""

from __future__ import annotations

import re

from policylint.sources.terraform.plan_cfn import Translation
from policylint.sources.terraform.plan_open import Naming, Opened, resolved
from policylint.sources.terraform.plan_read import TfResource

SA_DOMAIN = ".iam.gserviceaccount.com"
_SHORT_RING = re.compile(r"(?P<project>[^/]+)/(?P<location>[^/]+)/(?P<ring>[^/]+)")
_SHORT_KEY = re.compile(r"(?P<project>[^/]+)/(?P<location>[^/]+)/(?P<ring>[^/]+)/(?P<key>[^/]+)")
_ACCOUNT = {"google_service_account"}
_NAMED = {"google_service_account", "google_kms_key_ring", "google_kms_crypto_key", "google_storage_bucket",
          "google_bigquery_dataset", "google_project", "google_project_iam_custom_role",
          "google_organization_iam_custom_role"}


class GcpNames:
    def __init__(self, t: Translation, unnamed: str) -> None:
        self.t = t
        self.unknown_project = _unknown_project(unnamed)
        self.by_address = {r.address: r for r in t.plan.resources if r.type in _NAMED}
        self._bucket_projects: dict[str, str] = {}
        for r in t.plan.resources:
            if r.type == "google_storage_bucket" and isinstance(r.values.get("name"), str) \
                    and isinstance(r.values.get("project"), str):
                self._bucket_projects.setdefault(r.values["name"], _project_id(r.values["project"]))

    # -- a resource's own name -----------------------------------------------------------------------------------

    def project(self, r: TfResource) -> str:
        given = r.values.get("project")
        return _project_id(given) if isinstance(given, str) and given else self.unknown_project

    def email(self, r: TfResource) -> str | None:
        """A service account's e-mail: the plan's, or what its account id and project make."""
        known = r.values.get("email")
        if isinstance(known, str) and "@" in known:
            return known
        account = r.values.get("account_id")
        return f"{account}@{self.project(r)}{SA_DOMAIN}" if isinstance(account, str) and account else None

    def account(self, r: TfResource) -> str | None:
        email = self.email(r)
        return None if email is None else f"projects/{self.project(r)}/serviceAccounts/{email}"

    def ring(self, r: TfResource) -> str | None:
        location, name = r.values.get("location"), r.values.get("name")
        if not isinstance(location, str) or not isinstance(name, str):
            return None
        return f"projects/{self.project(r)}/locations/{location}/keyRings/{name}"

    def key(self, r: TfResource) -> str | None:
        ring, name = self.text(r, "key_ring", self.ring_named), r.values.get("name")
        return f"{ring_name(ring)}/cryptoKeys/{name}" if isinstance(ring, str) and isinstance(name, str) else None

    def bucket(self, name: str) -> str:
        project = self._bucket_projects.get(name)
        return f"projects/{project or '_'}/buckets/{name}"

    def dataset(self, r: TfResource) -> str | Opened | None:
        """The dataset a dataset (or its IAM, its access) names."""
        dataset = self.text(r, "dataset_id")
        return f"projects/{self.project(r)}/datasets/{dataset}" if isinstance(dataset, str) and dataset else dataset

    def custom_role(self, r: TfResource) -> str | None:
        role = r.values.get("role_id")
        if not isinstance(role, str):
            return None
        if r.type == "google_organization_iam_custom_role":
            org = r.values.get("org_id")
            return f"organizations/{org}/roles/{role}" if isinstance(org, str) else None
        return f"projects/{self.project(r)}/roles/{role}"

    def natural(self, r: TfResource) -> str | None:
        """How text names a resource of the plan (inside `"serviceAccount:${…email}"`, a key ring's `id`)."""
        if r.type == "google_service_account":
            return self.email(r)
        if r.type == "google_kms_key_ring":
            return self.ring(r)
        if r.type == "google_kms_crypto_key":
            return self.key(r)
        if r.type.endswith("_iam_custom_role"):
            return self.custom_role(r)
        if r.type == "google_bigquery_dataset":
            value = r.values.get("dataset_id")
        elif r.type == "google_project":
            value = r.values.get("project_id")
        else:
            value = r.values.get("name")
        return value if isinstance(value, str) else None

    # -- attributes that name one --------------------------------------------------------------------------------

    def text(self, r: TfResource, attr: str, alone: Naming | None = None) -> str | Opened | None:
        return resolved(self.t, self.t.value(r, attr), alone or Naming(self.natural, self.natural), self.by_address)

    def item(self, value: object, alone: Naming) -> str | Opened | None:
        return resolved(self.t, value, alone, self.by_address)

    @property
    def member_named(self) -> Naming:
        """A member: a service account of the plan, referenced alone, is `serviceAccount:EMAIL`."""
        return Naming(lambda r: f"serviceAccount:{self.email(r)}" if r.type in _ACCOUNT and self.email(r) else None,
                      self.natural)

    @property
    def account_named(self) -> Naming:
        return Naming(lambda r: self.account(r) if r.type in _ACCOUNT else None, self.natural)

    @property
    def ring_named(self) -> Naming:
        return Naming(lambda r: self.ring(r) if r.type == "google_kms_key_ring" else None, self.natural)

    @property
    def key_named(self) -> Naming:
        return Naming(lambda r: self.key(r) if r.type == "google_kms_crypto_key" else None, self.natural)


def account_name(given: str) -> str:
    """A service account as `service_account_id` gives it (its resource name, or its e-mail) as a resource name."""
    if given.startswith("projects/"):
        return given
    project = given.partition("@")[2].removesuffix(SA_DOMAIN) if given.endswith(SA_DOMAIN) else "-"
    return f"projects/{project}/serviceAccounts/{given}"


def ring_name(given: str) -> str:
    short = _SHORT_RING.fullmatch(given)
    return given if short is None else \
        f"projects/{short['project']}/locations/{short['location']}/keyRings/{short['ring']}"


def key_name(given: str) -> str:
    short = _SHORT_KEY.fullmatch(given)
    return given if short is None else (f"projects/{short['project']}/locations/{short['location']}/keyRings/"
                                        f"{short['ring']}/cryptoKeys/{short['key']}")


def _unknown_project(unnamed: str) -> str:
    path = unnamed.replace("%2F", "/").replace("%25", "%")
    return "provider-project." + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "plan")


def _project_id(given: str) -> str:
    return given.removeprefix("projects/")
