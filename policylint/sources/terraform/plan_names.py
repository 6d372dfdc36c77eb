"""What makes a file a Terraform plan or state, without the reader: the registry asks this of every file, and the
reader (the translation of every resource type) is imported only when a run has a plan to read."""

from __future__ import annotations

import re

NAME = "terraform-plan"
_OBJECT = re.compile(r"\A\ufeff?\s*\{")
_MARK = re.compile(r'"format_version"\s*:')
_BODY = re.compile(r'"(?:planned_values|values)"\s*:\s*\{\s*"(?:root_module|outputs)"|"planned_values"\s*:')
_NO_STATE = re.compile(r'\A\ufeff?\s*\{\s*"format_version"\s*:\s*"[0-9.]+"\s*\}\s*\Z')  # no state yet


def detect(path: str, text: str) -> bool:
    """A JSON object with `format_version`, `terraform_version` and a `planned_values` or `values.root_module`; or
    what `terraform show -json` prints when there is no state yet, `{"format_version":"1.0"}`. The keys are looked
    for in the whole text, not near its top: `jq -S` sorts them, and `configuration` then comes first, however
    long (each search is one pass over the text)."""
    return (_OBJECT.match(text) is not None and '"terraform_version"' in text and _MARK.search(text) is not None
            and _BODY.search(text) is not None) or _NO_STATE.match(text) is not None


