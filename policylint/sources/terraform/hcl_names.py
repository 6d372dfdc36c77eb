"""What names a Terraform file, without the reader: the registry and the walk ask this of every file, and the
reader (the grammar, the evaluator) is imported only when a run has Terraform files to read."""

from __future__ import annotations

import os

NAME = "terraform-hcl"
CONFIGURATION = (".tf", ".tf.json")
VALUES = (".tfvars", ".tfvars.json")
SUFFIXES = CONFIGURATION + VALUES


def detect(path: str, text: str) -> bool:
    """A Terraform file by its name: configuration (`.tf`, `.tf.json`) or values (`.tfvars`, `.tfvars.json`)."""
    return os.path.basename(path).lower().endswith(SUFFIXES)
