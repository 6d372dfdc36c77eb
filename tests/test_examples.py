"""The mixed-format example organisation: every format at once, the breach pattern spread across them."""

from __future__ import annotations

import json

from helpers import REPO, run_cli

SHOPCO = REPO / "examples" / "shopco"
AS_OF = "2026-03-21"

# Hand-checked: each of these is a real problem planted in the example (examples/README.md), and nothing else fires.
EXPECTED = {
    ("PL101", "aws:iam::111122223333:user/choi.dh#access-key-1"),  # departed (SCIM) but the AWS key is active
    ("PL102", "choi.dh"),  # still in data-eng, bound to cluster-admin and roles/editor
    ("PL103", "gcp:serviceAccount:orders-etl@shopco-analytics.iam.gserviceaccount.com"),
    ("PL103", "k8s:default:serviceaccount:payments/payments-api"),
    ("PL105", "aws:iam::111122223333:user/choi.dh#access-key-1"),
    ("PL105", "gcp:serviceAccount:orders-etl@shopco-analytics.iam.gserviceaccount.com"
              "#key-6d2f0b9e4c1a7835e2f90d4b6a1c3e5f7a9b0c2d"),
    ("PL109", "aws:iam::111122223333:root#access-key-1"),  # alone: no PL104 nor PL105
    ("PL110", "gcp:deleted:user:yoon.sb@shopco.example?uid=114723986412398712345"),
    # platform-admins holds `*` on `*` (PL208), the root user is admin by definition, and the cluster-admin binding's
    # subjects are PL207: PL205 says nothing new
    ("PL205", "aws:iam::111122223333:user/ci-deploy"),  # iam:PassRole + lambda:CreateFunction + Invoke
    ("PL205", "gcp:projects/shopco-analytics:roles/owner"),
    ("PL207", "k8s:default:user:choi.dh@shopco.example"),  # cluster-admin: not also PL206 (reads secrets)
    ("PL207", "k8s:default:user:han.sj@shopco.example"),
    ("PL217", "k8s:default:user:park.mj@shopco.example"),  # reads every Secret of `payments`
    ("PL208", "aws:iam::111122223333:group/platform-admins"),  # AdministratorAccess
    # admin on globs that name customer data (`aws:*`, a project's `*`, every Secret): admin on customer data
    ("PL201", "aws:iam::111122223333:group/platform-admins"),
    ("PL201", "gcp:projects/shopco-analytics:roles/owner"),
    ("PL201", "k8s:default:clusterrolebinding:oncall-cluster-admin"),
    ("PL211", "gcp:projects/shopco-analytics:roles/bigquery.dataViewer"),  # every dataset of the project
    ("PL209", "gcp:user:choi.dh@shopco.example"),
    ("PL209", "gcp:user:han.sj@shopco.example"),
    ("PL303", "gcp:projects/shopco-analytics/locations/europe-west1/keyRings/analytics/cryptoKeys/orders-export"),
    ("PL306", "aws:kms:cfn:cfn:key/storage-OrdersKey"),
    ("PL307", "aws:kms:cfn:cfn:key/storage-OrdersKey"),
    ("PL307", "gcp:projects/shopco-analytics/locations/europe-west1/keyRings/analytics/cryptoKeys/orders-export"),
    ("PL308", "k8s:default:secret:payments/payments-api-token"),  # never expires: PL308's, not PL107's too
    ("PL309", "gcp:serviceAccount:orders-etl@shopco-analytics.iam.gserviceaccount.com"
              "#key-6d2f0b9e4c1a7835e2f90d4b6a1c3e5f7a9b0c2d"),
    ("PL401", "aws:s3:::shopco-customer-orders"),
    ("PL401", "k8s:default:secrets:payments"),
    ("PL402", "aws:s3:::shopco-customer-orders"),
    ("PL402", "k8s:default:secrets:payments"),
    ("PL403", "gcp:projects/shopco-analytics/datasets/orders"),
}


def test_the_mixed_example_finds_exactly_the_planted_problems() -> None:
    result = run_cli("check", str(SHOPCO), "--format", "json", "--as-of", AS_OF)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert report["errors"] == []
    assert report["summary"]["files"] == 9
    assert {(f["rule"], f["subject"]["id"]) for f in report["findings"]} == EXPECTED


def test_a_path_crosses_from_the_hr_roster_through_aws_to_the_bucket() -> None:
    result = run_cli("check", str(SHOPCO), "--format", "json", "--as-of", AS_OF, "--select", "PL101")
    [finding] = json.loads(result.out)["findings"]
    assert finding["message"] == ("access_key aws:iam::111122223333:user/choi.dh#access-key-1 is active but held "
                                  "by choi.dh (departed 2025-05-30 per meta.lastModified)")
    assert finding["path"] == [
        "choi.dh",  # SCIM roster
        "aws:iam::111122223333:user/choi.dh#access-key-1",  # credential report
        "aws:iam::111122223333:user/choi.dh",  # authorization details, joined by its e-mail tag
        "aws:iam::111122223333:group/data-eng",
        "aws:iam::111122223333:allowed-to-assume:aws:iam::111122223333:role/order-analytics",
        "aws:iam::111122223333:role/order-analytics",
        "aws:s3:::shopco-customer-orders",  # CloudFormation, classified by its tag
    ]


def test_reach_shows_the_leaver_on_three_platforms() -> None:
    result = run_cli("reach", str(SHOPCO), "--format", "json", "--as-of", AS_OF)
    assert result.code == 0, result.err
    choi = next(i for i in json.loads(result.out)["identities"] if i["id"] == "choi.dh")
    assert choi["status"] == "departed" and choi["records"] == 22_800_000
    assert {r["id"]: r["path"][1] for r in choi["resources"]} == {
        "aws:s3:::shopco-customer-orders": "aws:iam::111122223333:user/choi.dh",
        "gcp:projects/shopco-analytics/datasets/orders": "gcp:user:choi.dh@shopco.example",
        "k8s:default:secrets:payments": "k8s:default:user:choi.dh@shopco.example",
    }
