"""Input formats. One module per format, registered here explicitly; each satisfies `base.Source`."""

from __future__ import annotations

from policylint.sources import gcp, kubernetes, native
from policylint.sources.aws import authz, cloudformation, credential_report, policy_document
from policylint.sources.base import Fragment, Options, Source
from policylint.sources.hr import okta, roster_csv, scim

SOURCES: dict[str, Source] = {
    native.NAME: native,
    cloudformation.NAME: cloudformation,
    kubernetes.NAME: kubernetes,
    authz.NAME: authz,
    credential_report.NAME: credential_report,
    policy_document.NAME: policy_document,
    scim.NAME: scim,
    okta.NAME: okta,
    roster_csv.NAME: roster_csv,
    gcp.NAME: gcp,
}

__all__ = ["SOURCES", "Fragment", "Options", "Source"]
