"""Google Cloud: IAM policies, service-account keys and Cloud KMS keys, as gcloud prints them.

Formats (each `--format=yaml` or `--format=json`; a list is a `---` YAML stream or a JSON array):
- `gcloud projects|organizations|resource-manager folders|… get-iam-policy`: `bindings` of `role`, `members` and
  an optional `condition`; `etag`, `version` and `auditConfigs` beside them;
- `gcloud iam service-accounts keys list`: `name` (projects/P/serviceAccounts/EMAIL/keys/ID), `keyType`,
  `keyOrigin`, `keyAlgorithm`, `validAfterTime`, `validBeforeTime`, `disabled`;
- `gcloud kms keys list`: `name` (projects/P/locations/L/keyRings/R/cryptoKeys/K), `purpose`, `rotationPeriod`,
  `nextRotationTime`, `createTime`, `primary` (`createTime`, `protectionLevel`, `state`, …), `versionTemplate`.

The model (ids are `gcp:` + the member or resource name):
- The policy's resource (`naming.py`; gcloud does not print it): the configuration's `gcp-projects` (whatever
  else names another project, a project number or `projects/_/…` is a located error), else a top-level
  `resource`, `name` or `resourceId` (add one for an organisation, folder or resource policy), else a Cloud KMS
  key or key ring the path spells, else the project of the custom roles it binds (a file name or folder naming
  another project id, or service accounts all of another project, is a located error), else the project the file
  name names without its generic words, whole (`kubeflow-ci.iam.yaml`, `export__kubeflow-ci.iam.policy.yaml`,
  `iam-policy-kubeflow-ci.json`: `kubeflow-ci`; `123456789012.json`: a project number), else the nearest folder
  under the run's root that names one (`gke1/json-dumps/iam-policy.json`, `gke1/latest/…`: `gke1`), else the
  file's stem, never cut (`ProjectAlpha.json`: `ProjectAlpha`). Roles and resources carry
  `gcp-resource-from:BASIS`. A project `gcp:projects/P` is a
  resource of type `project` with the access control `gcp:projects/P:access-control`, both in scope
  `gcp:projects/P`; the dump defines the access control (two dumps of one project are an error naming both) and
  implies the project; its `logging` is true when the policy's `auditConfigs` log DATA_READ for allServices
  (unknown otherwise: audit configs are inherited). An organisation or folder likewise (`gcp:organizations/O`,
  `gcp:folders/F`). A resource-level policy (a bucket `projects/_/buckets/B`, a dataset, a key ring, a key, a
  service account) grants on that resource only; a bucket, whose project its name does not give, has scope `gcp`.
  A dump that names no resource and binds only `roles/cloudkms.*` is a key's policy (`gcloud kms keys
  get-iam-policy`): of the key its path names, else of `projects/P/locations/-/keyRings/-/cryptoKeys/-`, whose
  grants reach every key of P (which one is not known: fail closed).
- Each binding is one Role `<resource>:<role>` (`#2`, `#3` … when conditions repeat a role), assumable by its
  members; its grants come from `roles.py`: data grants on the resource and everything under it (`R`, `R/*`, never
  access control, act-as keys or KMS keys), key grants on its KMS keys, `admin` on its access control for
  setIamPolicy roles (owner, projectIamAdmin, securityAdmin, …), and `read` of its act-as key for roles that act
  as service accounts (owner, editor, serviceAccountUser/TokenCreator/KeyAdmin/Admin, workloadIdentityUser).
  A service agent's role (`roles/pubsub.serviceAgent`, `roles/containerregistry.ServiceAgent`) held only by
  Google's service agents is Google's own binding: flag `builtin` (its grants stay).
  Each grant keeps `via` and `actions_given` = the role, and `condition` = "title: expression". Above projects
  (organisation, folder) the file cannot say which projects lie below, so grants reach all of GCP (`gcp:*`,
  `gcp:*:access-control`, `gcp:*:act-as`): fail closed. Role flags: `gcp-basic-role` (owner, editor), `public`
  (allUsers, allAuthenticatedUsers), `gcp-custom-role`.
- Acting as service accounts: only credentials, keys and people lead into principals, so a project's
  service-account tokens are one Key `gcp:projects/P:act-as` (Google holds and rotates the signing keys; tokens
  live an hour; flag `gcp-act-as`) that signs for the glob `gcp:serviceAccount:*@P.iam.gserviceaccount.com` (for
  a project named by its number, whose accounts' id is unknown, every `*.iam.gserviceaccount.com`: fail closed), for
  each such account the policy names, and for the project's default accounts it names. A service account's own
  policy gets `gcp:projects/P/serviceAccounts/EMAIL:act-as`, signing for that account only.
- Members (see `members.py`): `user:` → a `user` principal with the e-mail in `identifiers` (the join stage finds
  its person); `serviceAccount:` → a `service` principal (Google's service agents flagged `builtin`); `group:` → a
  Group whose members the file cannot know; `domain:D` → a Group flagged `gcp-domain` (everyone with an account
  in D); `allUsers`, `allAuthenticatedUsers`, `principalSet://goog/public:all` → `*`; `deleted:…?uid=N` → a
  principal (a group for `deleted:group:`) flagged `deleted`, with no identifiers: nobody can sign in as it;
  `principal://` → an `external` principal (a workforce-pool subject: a `user` identified by the subject);
  `principalSet://` → an `external` principal flagged `gcp-principal-set` (a workforce-pool set: a Group);
  `projectOwner:P` (Editor, Viewer) → a Group whose member is the role `gcp:projects/P:roles/owner`. Members,
  the policy's resource, its access control and act-as keys are implied (`Fragment.implied`): every file that
  names them implies the same node, and the merge keeps the first.
- Service-account keys: a user-managed key is an `access_key` credential `gcp:serviceAccount:EMAIL#key-ID` of its
  account, `inactive` when disabled, `created` = validAfterTime, `expires` = validBeforeTime (none for the
  9999-12-31 of a key that never expires), flag `gcp-user-managed` (and `gcp-user-provided` when uploaded); who
  holds its private key is not in the file. System-managed keys are left out: Google holds them.
- Cloud KMS keys: a Key `gcp:projects/P/locations/L/keyRings/R/cryptoKeys/K` in scope `gcp:projects/P`; purpose
  from `purpose` (ENCRYPT_DECRYPT, RAW_ENCRYPT_DECRYPT, ASYMMETRIC_DECRYPT, KEY_ENCAPSULATION → encryption;
  ASYMMETRIC_SIGN, MAC → signing), storage `hsm` for HSM keys and `kms` otherwise, `created` = createTime,
  `rotated` = the primary version's createTime, `rotation_days` = rotationPeriod rounded up to whole days,
  `auto_rotate` = a rotationPeriod is set (only ENCRYPT_DECRYPT keys can rotate by themselves: None for others).
"""

from __future__ import annotations

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.base import Fragment, Options
from policylint.sources.gcp.keys import load_kms_keys, load_service_account_keys
from policylint.sources.gcp.policy import load_policy
from policylint.sources.gcp_names import NAME as NAME  # detection lives beside the reader, imported without it
from policylint.sources.gcp_names import detect as detect
from policylint.sources.gcp_names import format_of
from policylint.yamlsafe import load_all


def load(path: str, text: str, options: Options) -> Fragment:
    kind = format_of(text)
    documents = load_all(text, path)
    if kind == "policy":
        if len(documents) != 1:
            raise InputError(Location(path, 1, 1), f"expected one IAM policy, found {len(documents)} YAML documents")
        return load_policy(documents[0], path, options)
    if kind == "service-account-keys":
        return load_service_account_keys(documents, path)
    return load_kms_keys(documents, path)
