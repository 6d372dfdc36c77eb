"""Input formats. One module per format, registered here explicitly; each satisfies `base.Source`. Detection is
the registry's decision (`claimants`), never the order of SOURCES."""

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


def claimants(path: str, text: str) -> list[str]:
    """The names of every source that recognises the file, sorted. Every source is asked, so the order above never
    decides: the caller takes a file that exactly one source claims, and reports one that several claim."""
    return sorted(name for name, source in SOURCES.items() if source.detect(path, text))


__all__ = ["SOURCES", "Fragment", "Options", "Source", "claimants"]
