"""JUnit XML as Jenkins, GitLab and Azure Pipelines read it: a suite per rule that ran, a failing case per finding,
a skipped case per suppressed finding, and an `input` suite whose cases are the input errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from policylint.errors import InputError
from policylint.findings import Finding, Suppression
from policylint.redact import no_command_lines
from policylint.report import Report
from policylint.reporters.paths import compact
from policylint.reporters.shown import escaped
from policylint.reporters.summary import unclassified

INPUT_SUITE = "input"
SUPPRESSED_BY = {"exception": "an exception", "inline": "an inline comment", "baseline": "the baseline"}
# characters XML 1.0 cannot carry even escaped; an id or message holding one must not break the document
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(report: Report) -> str:
    report = escaped(report)  # CI pages show these texts; a line of the file is never a workflow command either
    titles = {rule.id: rule.title for rule in report.rules}
    findings: dict[str, list[Finding]] = {}
    suppressed: dict[str, list[Suppression]] = {}
    for finding in sorted(report.findings):
        findings.setdefault(finding.rule, []).append(finding)
        titles.setdefault(finding.rule, finding.title)
    for suppression in sorted(report.suppressed, key=lambda s: (s.finding, s.by)):
        suppressed.setdefault(suppression.finding.rule, []).append(suppression)
        titles.setdefault(suppression.finding.rule, suppression.finding.title)
    root = ET.Element("testsuites", name="policylint")
    for rule_id in sorted(titles):
        root.append(_rule_suite(rule_id, titles[rule_id], findings.get(rule_id, []), suppressed.get(rule_id, [])))
    if report.errors or report.notices or unclassified(report):
        root.append(_input_suite(report))
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    return no_command_lines(ET.tostring(root, encoding="unicode", xml_declaration=True), colon="&#58;",
                            hash_="&#35;") + "\n"


def _rule_suite(rule_id: str, title: str, findings: list[Finding], suppressed: list[Suppression]) -> ET.Element:
    suite = ET.Element("testsuite", name=_safe(f"{rule_id} {title}"))
    for finding in findings:
        case = _case(suite, finding)
        failure = ET.SubElement(case, "failure", message=_safe(finding.message), type=finding.severity)
        failure.text = _safe(_details(finding))
    for suppression in suppressed:
        case = _case(suite, suppression.finding)
        ET.SubElement(case, "skipped", message=_safe(_suppressed_because(suppression)))
    if not len(suite):  # a passing case, so the suite shows the rule ran
        ET.SubElement(suite, "testcase", classname=rule_id, name="no findings")
    _count(suite, [suite])
    return suite


def _case(suite: ET.Element, finding: Finding) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=finding.rule,
                         name=_safe(f"{finding.subject_kind}:{finding.subject_id}"),
                         file=_safe(finding.location.file), line=str(finding.location.line))


def _details(finding: Finding) -> str:
    lines = [finding.message, f"at {finding.location}"]
    if finding.path:
        lines.append(f"path: {compact(finding.path)}")
    return "\n".join(lines)


def _suppressed_because(suppression: Suppression) -> str:
    about = [f"suppressed by {SUPPRESSED_BY[suppression.by]} at {suppression.location}"]
    if suppression.owner:
        about.append(f"owner: {suppression.owner}")
    if suppression.expires:
        about.append(f"expires {suppression.expires.isoformat()}")
    return f"{suppression.reason} ({'; '.join(about)})"


def _input_suite(report: Report) -> ET.Element:
    suite = ET.Element("testsuite", name=INPUT_SUITE)
    for error in sorted(report.errors, key=lambda e: (e.location, e.message)):
        suite.append(_error_case(error))
    if not report.errors:
        ET.SubElement(suite, "testcase", classname=INPUT_SUITE, name="every input read")
    note = unclassified(report)
    if note is not None:  # the customer-data rules "passed" only because nothing is customer data: say so
        case = ET.SubElement(suite, "testcase", classname=INPUT_SUITE, name="customer data is classified")
        ET.SubElement(case, "skipped", message=_safe(note))
    if report.notices:
        out = ET.SubElement(suite, "system-out")
        notices = sorted(report.notices, key=lambda n: (n.location, n.message))
        out.text = _safe("\n".join(f"{n.location}: note: {n.message}" for n in notices))
    _count(suite, [suite])
    return suite


def _error_case(error: InputError) -> ET.Element:
    case = ET.Element("testcase", classname=INPUT_SUITE, name=_safe(str(error.location)),
                      file=_safe(error.location.file), line=str(error.location.line))
    failure = ET.SubElement(case, "error", message=_safe(error.message), type="input error")
    failure.text = _safe(str(error))
    return case


def _count(element: ET.Element, suites: Iterable[ET.Element]) -> None:
    cases = [case for suite in suites for case in suite.iter("testcase")]
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    element.set("errors", str(sum(1 for case in cases if case.find("error") is not None)))
    element.set("skipped", str(sum(1 for case in cases if case.find("skipped") is not None)))


def _safe(text: str) -> str:
    """ElementTree escapes markup; characters XML cannot hold at all are shown as escapes instead."""
    return NOT_XML.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
