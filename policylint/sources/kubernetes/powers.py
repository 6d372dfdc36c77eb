"""Powers that take control of the whole cluster without escalate, bind or impersonate (issue 10).

Each is `admin` on the cluster's access control, as escalation is, and flags the binding with the power it comes
through, so that a finding can say which (PL218, PL219, PL220). All three act on cluster-scoped objects, so only a
ClusterRoleBinding gives them. Webhooks and `nodes/proxy` are checked rule by rule with the rest (`access._CHECKS`);
approving or signing a certificate takes two rules, so it is worked out here over all the rules of a role.
- `certificates`: approving CertificateSigningRequests (`update`/`patch` on `certificatesigningrequests/approval` with
  `approve` on `signers`), or signing them (`certificatesigningrequests/status` with `sign` on `signers`), for a
  signer of API client certificates. The kube-controller-manager signs an approved request with the cluster's CA: a
  client certificate for any user and group, `system:masters` included, which no change to RBAC revokes; whoever
  may sign for such a signer is trusted to hold its CA key. The signers are named by `resourceNames`
  (`kubernetes.io/kube-apiserver-client`, or `kubernetes.io/*`); a rule naming none allows every signer. Signers of
  no client certificate the API server accepts do not count: `kubernetes.io/kubelet-serving` (serving
  certificates), and other domains' signers (cert-manager's `issuers.cert-manager.io/*` sign with their own CA, which
  the API server does not trust unless told to). The client signers named become the grant's condition, in evidence.
- `webhooks`: `create`/`update`/`patch` of `mutatingwebhookconfigurations` or `validatingwebhookconfigurations`: the
  API server sends the webhook every object it admits (Secrets included) and, for a mutating one, takes its rewrite
  (a pod that mounts another service account's token, a privileged container). `resourceNames` does not narrow it:
  a webhook configuration one may update can be pointed at every object.
- `nodes-proxy`: `get`/`create` on `nodes/proxy`: the kubelet API of the nodes, which runs commands in any of their
  pods, past admission control and audit. `resourceNames` (node names) narrow it, as a condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from policylint.model import Location
from policylint.sources.kubernetes.rules import PolicyRule, as_written

ADMISSION = "admissionregistration.k8s.io"
WEBHOOK_CONFIGURATIONS = ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
_CERTIFICATES = "certificates.k8s.io"
# the subresource to update and the verb on `signers`, to approve and to sign
_STEPS = (("certificatesigningrequests/approval", "approve"), ("certificatesigningrequests/status", "sign"))
_UPDATE = ("update", "patch")
_CLIENT_SIGNERS = frozenset({"kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
                             "kubernetes.io/legacy-unknown", "kubernetes.io/*"})


def certificate_powers(rules: Sequence[PolicyRule]
                       ) -> list[tuple[tuple[str, ...], tuple[str, ...], Location | None]]:
    """(signers named, operations given, location of the first rule) for approving and for signing requests of client
    certificates; signers () = every signer. Worked out over all the rules of a role, since each takes two rules."""
    found = []
    for subresource, verb in _STEPS:
        updates = [r for r in rules if any(r.allows(_CERTIFICATES, subresource, v) for v in _UPDATE)]
        signers = [r for r in rules if r.allows(_CERTIFICATES, "signers", verb) and _client_signers(r.names)]
        if not updates or not signers:
            continue
        given = [f"{as_written(v, r.verbs)} {as_written(subresource, r.resources)}" for r in updates for v in _UPDATE
                 if r.allows(_CERTIFICATES, subresource, v)]
        given += [f"{as_written(verb, r.verbs)} {as_written('signers', r.resources)}" for r in signers]
        named = () if any(not r.names for r in signers) else _unique(
            n for r in signers for n in r.names if n in _CLIENT_SIGNERS)
        found.append((named, _unique(given), updates[0].location))
    return found


def _client_signers(named: tuple[str, ...]) -> bool:
    return not named or any(n in _CLIENT_SIGNERS for n in named)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
