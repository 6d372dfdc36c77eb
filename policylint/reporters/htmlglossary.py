"""How to read the pictures and paths, for a reader who is not an engineer (a data-protection officer): what each
relation of a path means in plain words, and why a departure date was inferred where the roster gives none."""

from __future__ import annotations

from policylint.audit import Audit
from policylint.reporters.htmltext import BASES, esc

# (the relation as the pictures and paths write it, what it means)
RELATIONS = (
    ("holds", "has the secret (a password, access key, token, SSH key or certificate): whoever holds it can use it."),
    ("authenticates as", "the secret signs in as that account."),
    ("is", "the account is that person's own: what one can reach, the other can."),
    ("member of", "is in the group, and so gets everything the group gets."),
    ("assumes", "may act as the role, with everything the role is granted."),
    ("read, write, delete, admin, all actions",
     "what a grant allows on the store or key (all actions: every action there is)."),
    ("controls", "is an administrator of an access-control resource (a cloud account's IAM, a cluster's RBAC, a "
                 "project's IAM), which reaches everything it governs: an administrator can grant themselves the "
                 "rest."),
    ("reads key", "can read the key itself (its secret material), not only use it."),
    ("signs for (every principal)", "a signing key that can mint a session for any identity: whoever reads it can act "
                                    "as anyone. On a picture: “signs for”, “via every principal”."),
    ("(anyone)", "the step is open to every identity: a grant or trust given to “*”."),
    ("(ids matching …), (every resource)", "a grant written as a pattern: it covers every store or key whose id "
                                           "matches, including any added later."),
    ("[if …]", "a condition that may or may not hold (multi-factor sign-in, a network, a tag). We count the path "
               "anyway (fail closed): a condition narrows who can use it, it does not close it. On a picture: "
               "“if …”, or a note number [1] with the condition under the picture."),
)


def glossary(audit: Audit) -> str:
    entries = [(term, words) for term, words in RELATIONS]
    entries += [(f"per {basis}", f"a departure date: {words}.") for basis, words in BASES.items()
                if basis in _bases(audit)]
    items = "".join(f"<div><dt>{esc(term)}</dt><dd>{esc(words)}</dd></div>" for term, words in entries)
    return f'<h4>How to read the arrows</h4><dl class="glossary">{items}</dl>'


def _bases(audit: Audit) -> str:
    """Every departure basis the page may show (in the cards, or in findings' messages as `per …`)."""
    return " ".join(h.basis for h in (*audit.headline, *audit.people) if h.basis)
