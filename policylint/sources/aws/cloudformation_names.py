"""What makes a file a CloudFormation template, without the reader: the registry asks this of every file, and the
reader (`cloudformation`, `cfn_*`: every resource type it reads) is imported only when a run has a template."""

from __future__ import annotations

import re

NAME = "aws-cloudformation"
_HEAD = 256 * 1024
# the key, quoted (JSON, anywhere) or plain at the start of a line (YAML's top level)
_VERSION = re.compile(r"""["']AWSTemplateFormatVersion["'][ \t]*:|^AWSTemplateFormatVersion[ \t]*:""", re.MULTILINE)
_RESOURCES = re.compile(r"""["']Resources["'][ \t]*:|^Resources[ \t]*:""", re.MULTILINE)
_AWS_TYPE = re.compile(r"""["']?Type["']?[ \t]*:[ \t]*["']?AWS::[A-Za-z0-9]+::[A-Za-z0-9]+""")


def detect(path: str, text: str) -> bool:
    """`AWSTemplateFormatVersion`, or `Resources` with a `Type: AWS::…`, near the top of the file."""
    head = text[:_HEAD]
    if "AWS" not in head:  # a plain search first: every file is asked, and the expressions take 1 ms a file
        return False
    return _VERSION.search(head) is not None or (_RESOURCES.search(head) is not None
                                                 and _AWS_TYPE.search(head) is not None)
