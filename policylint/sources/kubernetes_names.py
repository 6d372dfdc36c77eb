"""What makes a file Kubernetes objects, and when the cross-file `link` has anything to complete, without the
reader: the registry asks this of every file, and the reader (`kubernetes/`: manifests, the RBAC model, the
built-in roles) is imported only when a run has manifests to read or records to link. It lives beside the package,
not in it: importing anything from `policylint.sources.kubernetes` runs the reader's `__init__`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from policylint.flags import K8S_AGGREGATED, K8S_ROLE_UNRESOLVED
from policylint.model import Inventory

NAME = "kubernetes"
_HEAD = 8192
_YAML_OBJECT = re.compile(r"^apiVersion:[ \t]*['\"]?[A-Za-z0-9][\w.\-/]*", re.MULTILINE)
_YAML_KIND = re.compile(r"^[ \t-]*kind:[ \t]*['\"]?[A-Z]\w*", re.MULTILINE)
_JSON_OBJECT = re.compile(r'"apiVersion"\s*:\s*"[^"]+"')
_JSON_KIND = re.compile(r'"kind"\s*:\s*"[A-Z]\w*"')
# `terraform show -json` output: a plan's `kubernetes_manifest` values are objects, the file is not (keys in any order)
_TF_FORMAT = re.compile(r'"format_version"\s*:\s*"[0-9.]+"')
_TF_BODY = re.compile(r'"(?:planned_values|values|resource_changes)"\s*:\s*[\[{]')
# a Helm/Go template action where a YAML value or item starts, outside comments and block scalars: render it first
_TEMPLATE = re.compile(r"""^[ \t-]*["']?\{\{|:[ \t]+["']?\{\{""")
_BLOCK = re.compile(r"""(?:^|[:\-][ \t]|^[ \t]*-[ \t]*)[|>][0-9+\-]*[ \t]*(?:#.*)?$""")  # a `|`/`>` scalar opens
_COMMENT = re.compile(r"""(?:^|[ \t])#.*$""")
_LEADING = re.compile(r"""\A(?:\ufeff)?(?:[ \t]*(?:#[^\n]*)?\r?\n)*""")  # blank and comment lines above it


def detect(path: str, text: str) -> bool:
    """Kubernetes objects: `apiVersion` at the top level and a `kind`, in the first few KB below any leading
    comments; templates are not (`is_template`)."""
    head = _head(text)
    if _json(head):
        return (_JSON_OBJECT.search(head) is not None and _JSON_KIND.search(head) is not None
                and not (_TF_FORMAT.search(text) and _TF_BODY.search(text)))
    return _objects(head) and not _templated(text)


def is_template(text: str) -> bool:
    """Kubernetes objects written as an unrendered Helm/Go template: a walk skips them with their own reason."""
    head = _head(text)
    return not _json(head) and _objects(head) and _templated(text)


def _json(head: str) -> bool:
    start = head.lstrip()
    return start.startswith("{") and not start.startswith("{{")


def _head(text: str) -> str:
    start = _LEADING.match(text)
    return text[start.end() if start else 0:][:_HEAD]


def _objects(head: str) -> bool:
    return _YAML_OBJECT.search(head) is not None and _YAML_KIND.search(head) is not None


def _templated(text: str) -> bool:
    """A template action (`{{ … }}`) where a value or a line starts, in any document, not counting comments and
    block scalars (a ConfigMap's alerting template, `# owner: {{team}}`)."""
    if "{{" not in text:
        return False
    block: int | None = None  # the indentation a block scalar's lines are deeper than
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block is not None:
            if not stripped.strip() or indent > block:
                continue
            block = None
        if line.startswith(("---", "...")):
            continue
        code = _COMMENT.sub("", line)
        if "{{" in code and _TEMPLATE.search(code):
            return True
        if _BLOCK.search(code.rstrip()):
            block = indent
    return False


ID_PREFIX = "k8s:"  # the platform's namespace of ids (`names.PREFIX` is this cluster's within it)


def links(inventory: Inventory) -> bool:
    """Whether `link` can change anything: a role or group of the platform's namespace (whichever file defined it: a
    manifest, a Terraform plan, a native file), or a role that a binding's flags send to `link`. Wider than what
    `link` acts on (a binding of another file's role, an aggregated ClusterRole, the built-in `system:` groups), never
    narrower: when this is False, `link` returns the inventory as it was."""
    return (any(r.id.startswith(ID_PREFIX) or _linked_flags(r.flags) for r in inventory.roles)
            or any(g.id.startswith(ID_PREFIX) for g in inventory.groups))


def _linked_flags(flags: Iterable[str]) -> bool:
    return any(f == K8S_ROLE_UNRESOLVED or f.startswith(K8S_AGGREGATED) for f in flags)
