"""The auditor's report opened in a real browser: Debian's chromium, headless, driven by Playwright pointed at it (no
browser is ever downloaded). Skipped only where /usr/bin/chromium is absent and POLICYLINT_REQUIRE_BROWSER is unset;
CI (.ci/run) installs chromium and sets it, so there these tests always run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from policylint.audit import Audit, build
from policylint.model import platform_of
from policylint.pipeline import run
from policylint.reporters.paths import compact
from policylint.settings import Settings

from helpers import REPO, run_cli, write

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP, LAPTOP, PRINT = 1280, 1024, 794  # CSS pixels: a desktop window, a small one, and A4 paper's width
ACME, SHOPCO = REPO / "examples" / "acme", REPO / "examples" / "shopco"
EXAMPLES = {"acme": (ACME, "2026-11-27"), "shopco": (SHOPCO, "2026-03-21"),
            "terraform": (REPO / "examples" / "terraform", "2026-03-01")}
UNKNOWN_SIZES = """
policylint: 1
people: [{id: gone.p, status: departed, departed: 2025-01-01, name: "Gone Person"}]
groups: [{id: data, members: [gone.p]}]
roles:
  - id: reader
    assumable_by: [data]
    grants:
      - {resource: exports, actions: [read]}
      - {resource: events, actions: [read]}
      - {resource: orders, actions: [read]}
resources:
  - {id: exports, type: bucket, data: [customer_pii]}
  - {id: events, type: database, data: [customer_events]}
  - {id: orders, type: database, data: [customer_orders], records: 1200}
"""
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
HOSTILE = f"""
policylint: 1
people:
  - {{id: "<img/src=x/onerror=alert(1)>", status: departed, departed: 2025-01-01,
     name: "<img src=x onerror=alert(11)>"}}
principals:
  - {{id: "</script><script>alert(3)</script>", type: user, person: "<img/src=x/onerror=alert(1)>"}}
  - {{id: "svc-{SECRET}", type: service, owner: "<img/src=x/onerror=alert(1)>"}}
groups:
  - {{id: "<svg/onload=alert(4)>", members: ["</script><script>alert(3)</script>", "svc-{SECRET}"]}}
roles:
  - id: "\\"><iframe/src=javascript:alert(5)>"
    assumable_by: ["<svg/onload=alert(4)>"]
    grants:
      - {{resource: "javascript:alert(7)//store", actions: [read]}}
resources:
  - {{id: "javascript:alert(7)//store", type: database, data: [customer_pii], records: 1000}}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("POLICYLINT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"POLICYLINT_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"no {CHROMIUM} (CI installs it and sets POLICYLINT_REQUIRE_BROWSER=1)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for name, (path, as_of) in EXAMPLES.items():
        written[name] = folder / f"{name}.html"
        assert run_cli("report", str(path), "--as-of", as_of, "-o", str(written[name])).code == 1
    for name, inventory in (("hostile", HOSTILE), ("unknown", UNKNOWN_SIZES)):
        folder_of = write(folder / name, "org.yaml", inventory).parent
        written[name] = folder / f"{name}.html"
        assert run_cli("report", str(folder_of), "--as-of", "2026-01-01", "-o", str(written[name])).code == 1
    return written


@pytest.fixture(scope="module")
def acme_audit() -> Audit:
    return build(run(Settings((str(ACME),), date(2026, 11, 27))))


@pytest.fixture(scope="module")
def shopco_audit() -> Audit:
    return build(run(Settings((str(SHOPCO),), date(2026, 3, 21))))


@dataclass
class Opened:
    page: Page
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # errors and warnings logged, and errors thrown
    dialogs: list[str] = field(default_factory=list)


class OpenReport(Protocol):
    def __call__(self, path: Path, *, width: int = DESKTOP, script: bool = True) -> Opened: ...


@pytest.fixture
def open_report(browser: Browser) -> Iterator[OpenReport]:
    contexts = []

    def opened(path: Path, *, width: int = DESKTOP, script: bool = True) -> Opened:
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=script)
        contexts.append(context)
        result = Opened(context.new_page())

        def on_dialog(dialog: Dialog) -> None:
            result.dialogs.append(dialog.message)
            dialog.dismiss()

        result.page.on("request", lambda request: result.requests.append(request.url))
        result.page.on("console", lambda message: result.console.append(f"{message.type}: {message.text}")
                       if message.type in ("error", "warning") else None)
        result.page.on("pageerror", lambda error: result.console.append(f"thrown: {error}"))
        result.page.on("dialog", on_dialog)
        result.page.goto(path.as_uri(), wait_until="load")
        return result

    yield opened
    for context in contexts:
        context.close()


def shown(page: Page) -> list[tuple[str, str]]:
    """(rule, subject) of each finding the filters leave visible."""
    found = page.eval_on_selector_all(
        "article.finding", "items => items.filter(i => !i.hidden).map(i => "
        "[i.dataset.rule, i.querySelector('.where code').textContent])")
    return [(rule, subject) for rule, subject in found]


@pytest.mark.parametrize("name", ["acme", "shopco"])
def test_nothing_is_requested_but_the_file_and_nothing_is_logged(name: str, reports: dict[str, Path],
                                                                  open_report: OpenReport) -> None:
    opened = open_report(reports[name])
    assert opened.requests == [reports[name].as_uri()]
    assert opened.console == []
    assert opened.dialogs == []


def test_the_headline_names_the_departed_engineer_and_the_customer_master(reports: dict[str, Path],
                                                                          open_report: OpenReport) -> None:
    page = open_report(reports["acme"]).page
    assert page.locator("#headline .alert").first.inner_text().startswith(
        "1 person who has left can still reach customer data. Kim Jae-hyun can reach 588.7M customer records")
    assert page.locator("#headline article.leaver h3").all_inner_texts() == ["Kim Jae-hyun"]
    row = page.locator("#headline article.leaver tr", has_text="customers-db")
    assert row.locator("td").all_inner_texts()[:3] == ["customers-db", "customer_pii", "33.7M"]
    assert page.locator("#headline article.leaver svg.path").is_visible()


def test_each_finding_has_its_picture_inside_its_card(reports: dict[str, Path], open_report: OpenReport,
                                                      acme_audit: Audit) -> None:
    page = open_report(reports["acme"], width=PRINT).page
    page.emulate_media(media="print")
    pictures = page.eval_on_selector_all("article.finding", """items => items.map(item => {
        const svg = item.querySelectorAll('svg.path'), box = svg[0].getBoundingClientRect(),
              card = item.getBoundingClientRect();
        return [svg.length, svg[0].querySelectorAll('g.node').length, box.width > 300 && box.height > 40,
                box.left >= card.left && box.right <= card.right];
    })""")
    ordered = sorted(acme_audit.report.findings, key=lambda f: (
        ["critical", "high", "medium", "low", "info"].index(f.severity), f.rule, f.location, f.subject_id))
    assert pictures == [[1, max(len(f.path), 1), True, True] for f in ordered]


def test_filters_hide_and_show_the_right_findings(reports: dict[str, Path], open_report: OpenReport,
                                                  acme_audit: Audit) -> None:
    page = open_report(reports["acme"]).page
    every = sorted((f.rule, f.subject_id) for f in acme_audit.report.findings)
    assert sorted(shown(page)) == every
    page.select_option("#filters select[name=severity]", "critical")
    assert sorted(shown(page)) == [("PL101", "ak-kim-jh-cloud"), ("PL101", "tok-auth-admin-kim"),
                                   ("PL301", "auth-jwt-signing")]
    assert page.locator("#shown").inner_text() == "3 of 32 findings shown"
    page.select_option("#filters select[name=severity]", "")
    page.select_option("#filters select[name=rule]", "PL306")
    assert sorted(shown(page)) == sorted((f.rule, f.subject_id) for f in acme_audit.report.findings
                                         if f.rule == "PL306")
    page.select_option("#filters select[name=rule]", "")
    page.fill("#filters input[name=text]", "Shipments-Queue")
    assert sorted(shown(page)) == sorted((f.rule, f.subject_id) for f in acme_audit.report.findings
                                         if "shipments-queue" in f.message + compact(f.path))
    page.fill("#filters input[name=text]", "")
    assert sorted(shown(page)) == every


def test_the_platform_filter(reports: dict[str, Path], open_report: OpenReport, shopco_audit: Audit) -> None:
    page = open_report(reports["shopco"]).page
    page.select_option("#filters select[name=platform]", "gcp")
    assert sorted(shown(page)) == sorted((f.rule, f.subject_id) for f in shopco_audit.report.findings
                                         if platform_of(f.subject_id, f.subject_kind) == "gcp")
    assert len(shown(page)) == 12  # PL201 on roles/owner: admin on the project's every resource
    page.select_option("#filters select[name=platform]", "kubernetes")
    page.select_option("#filters select[name=severity]", "critical")
    assert sorted(shown(page)) == [("PL207", "k8s:default:user:choi.dh@shopco.example"),
                                   ("PL207", "k8s:default:user:han.sj@shopco.example")]


def test_with_the_script_off_every_finding_is_listed_and_no_filter_shows(reports: dict[str, Path],
                                                                         open_report: OpenReport) -> None:
    page = open_report(reports["acme"], script=False).page
    assert page.locator("article.finding:visible").count() == 32
    assert not page.locator("#filters").is_visible()


def test_hostile_ids_stay_text_no_dialog_fires_and_the_secret_is_not_in_the_page(reports: dict[str, Path],
                                                                                  open_report: OpenReport) -> None:
    opened = open_report(reports["hostile"])
    page = opened.page
    assert opened.dialogs == [] and opened.console == []
    assert opened.requests == [reports["hostile"].as_uri()]
    assert page.locator("img, iframe").count() == 0
    assert page.locator("script").count() == 1
    text = page.inner_text("body")
    for hostile in ("<img/src=x/onerror=alert(1)>", "</script><script>alert(3)</script>", "<svg/onload=alert(4)>",
                    '"><iframe/src=javascript:alert(5)>', "javascript:alert(7)//store",
                    "<img src=x onerror=alert(11)>"):
        assert hostile in text, hostile
    assert page.locator("#headline article.leaver h3").all_inner_texts() == ["<img src=x onerror=alert(11)>"]
    assert SECRET not in page.content() and SECRET not in reports["hostile"].read_text(encoding="utf-8")


def test_shopco_opens_with_every_section(reports: dict[str, Path], open_report: OpenReport) -> None:
    page = open_report(reports["shopco"]).page
    assert page.locator("main > section > h2").all_inner_texts() == [
        "People who have left and can still reach customer data", "Who can reach each customer-data store",
        "What each person can reach", "Findings", "Suppressed findings"]
    assert page.locator("#headline article.leaver h3").all_inner_texts() == ["Dohyun Choi"]
    assert page.locator("#stores article.store h3").all_inner_texts() == [
        "aws:s3:::shopco-customer-orders", "gcp:projects/shopco-analytics/datasets/orders",
        "k8s:default:secrets:payments"]
    assert page.locator("article.finding").count() == 31  # tests/test_examples.py EXPECTED


VIEWS = [(name, width, media) for name in ("acme", "shopco", "terraform", "unknown")
         for width, media in ((DESKTOP, "screen"), (LAPTOP, "screen"), (PRINT, "print"))]


@pytest.mark.parametrize(("name", "width", "media"), VIEWS)
def test_nothing_is_wider_than_the_page(name: str, width: int, media: str, reports: dict[str, Path],
                                        open_report: OpenReport, tmp_path: Path) -> None:
    page = open_report(reports[name], width=width).page
    page.emulate_media(media=media)  # type: ignore[arg-type]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"{name}-{media}.png"), full_page=True)  # to look at when it fails


@pytest.mark.parametrize(("name", "width", "media"), VIEWS)
def test_no_tile_content_is_clipped_or_overflows(name: str, width: int, media: str, reports: dict[str, Path],
                                                 open_report: OpenReport) -> None:
    page = open_report(reports[name], width=width).page
    page.emulate_media(media=media)  # type: ignore[arg-type]
    outside = page.eval_on_selector_all(".tile", """tiles => tiles.flatMap(tile => {
        const box = tile.getBoundingClientRect();
        return [tile, ...tile.querySelectorAll('*')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.left < box.left - 0.5 || r.right > box.right + 0.5 || e.scrollWidth > e.clientWidth + 1;
        }).map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60));
    })""")
    assert outside == []
    numbers = page.eval_on_selector_all(".tile td.num", "cells => cells.filter(c => !c.innerText.trim()).length")
    assert numbers == 0


def test_the_numbers_say_the_stores_of_unknown_size(reports: dict[str, Path], open_report: OpenReport) -> None:
    page = open_report(reports["unknown"]).page
    assert page.locator(".tile").first.locator("tr").all_inner_texts() == [
        "reachable by someone\t3", "records in the one of known size\t1,200", "of unknown size\t2"]
    assert page.locator("#headline .alert").inner_text() == (
        "1 person who has left can still reach customer data. Gone Person can reach at least 1.2K customer records in "
        "1 store, and 2 more stores of unknown size.")


@pytest.mark.parametrize(("name", "width", "media"), [
    (name, width, media) for name in ("acme", "shopco", "terraform")
    for width, media in ((DESKTOP, "screen"), (PRINT, "print"))])
def test_arrow_labels_stay_between_the_boxes(name: str, width: int, media: str, reports: dict[str, Path],
                                             open_report: OpenReport) -> None:
    page = open_report(reports[name], width=width).page
    page.emulate_media(media=media)  # type: ignore[arg-type]
    overlaps = page.eval_on_selector_all("svg.path[role=img]", """pictures => pictures.flatMap(svg => {
        const boxes = [...svg.querySelectorAll('g.node .shape')].map(s => s.getBoundingClientRect());
        const frame = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('g.edge text')].filter(text => {
            const t = text.getBoundingClientRect();
            const outside = t.left < frame.left || t.right > frame.right || t.top < frame.top ||
                            t.bottom > frame.bottom;
            return outside || boxes.some(b => t.left < b.right - 0.5 && t.right > b.left + 0.5 &&
                                              t.top < b.bottom - 0.5 && t.bottom > b.top + 0.5);
        }).map(text => text.textContent);
    })""")
    assert overlaps == []


def test_a_long_condition_is_a_note_under_its_picture(reports: dict[str, Path], open_report: OpenReport) -> None:
    page = open_report(reports["terraform"]).page
    card = page.locator("#headline article.leaver")
    assert card.locator("svg.path text.cond").all_text_contents() == ["if [1]"]
    assert card.locator("ol.edge-notes li").all_inner_texts() == [
        "[1] if aws:MultiFactorAuthPresent=true (the step to aws:iam::731946220845:role/auth-operator)"]


def test_findings_flow_on_paper_and_a_rule_s_why_prints_once(reports: dict[str, Path], open_report: OpenReport,
                                                             acme_audit: Audit) -> None:
    page = open_report(reports["acme"], width=PRINT).page
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all("section, article.finding", """items => [...new Set(items.map(item => {
        const style = getComputedStyle(item);
        return [style.breakBefore, style.breakInside, style.breakAfter].join(' ');
    }))]""")
    assert breaks == ["auto auto auto"]
    whys = page.eval_on_selector_all("article.finding .why", "items => items.filter(i => i.offsetParent).length")
    assert whys == len({f.rule for f in acme_audit.report.findings})
    page.emulate_media(media="screen")
    whys = page.eval_on_selector_all("article.finding .why", "items => items.filter(i => i.offsetParent).length")
    assert whys == len(acme_audit.report.findings)
