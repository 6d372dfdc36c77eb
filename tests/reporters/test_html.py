"""The auditor's report (`policylint report -o audit.html`): the audit record, its redaction, the page and its
pictures, checked without a browser (tests/test_report_browser.py opens the page in one)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from policylint import audit as audit_module
from policylint.audit import FROM_INPUTS, OURS, Access, Account, Audit, Count, Holder, Reacher, Store, build, mapped
from policylint.errors import InputError
from policylint.graph import Step
from policylint.pipeline import run
from policylint.reporters import html, htmlfindings
from policylint.reporters.htmlassets import SCRIPT
from policylint.reporters.htmlglossary import RELATIONS as GLOSSARY
from policylint.reporters.htmltext import basis_words, breakable, path_text, reach_words, short
from policylint.reporters.paths import compact
from policylint.reporters.svgpath import BOX_W, COLUMNS, GAP, HOW_CHARS, MARGIN, REL_CHARS, WIDTH, draw, fit, wrap
from policylint.settings import Settings

from helpers import REPO, run_cli, write

ACME, SHOPCO = REPO / "examples" / "acme", REPO / "examples" / "shopco"
ACME_DATE, SHOPCO_DATE = date(2026, 11, 27), date(2026, 3, 21)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the shape of an AWS secret access key
# Ids are attacker-controlled: markup, a script end, a javascript: URL, a secret, terminal and bidi controls.
HOSTILE = f"""
policylint: 1
people:
  - {{id: "<img/src=x/onerror=alert(1)>", status: departed, departed: 2025-01-01,
     name: "<img src=x onerror=alert(11)>\\u202e", team: "</script><script>alert(12)</script>\\e[31m"}}
  - {{id: "javascript:alert(2)", status: active}}
principals:
  - {{id: "</script><script>alert(3)</script>", type: user, person: "<img/src=x/onerror=alert(1)>"}}
  - {{id: "svc-{SECRET}", type: service, owner: "javascript:alert(2)"}}
groups:
  - {{id: "<svg/onload=alert(4)>", members: ["</script><script>alert(3)</script>", "svc-{SECRET}"]}}
roles:
  - id: "\\"><iframe/src=javascript:alert(5)>"
    assumable_by: ["<svg/onload=alert(4)>"]
    grants:
      - {{resource: "javascript:alert(7)//store", actions: [read]}}
credentials:
  - {{id: "ak-<b>bold</b>", type: access_key, principal: "</script><script>alert(3)</script>", status: active,
     created: 2024-01-01}}
resources:
  - {{id: "javascript:alert(7)//store", type: database, data: ["customer_<i>pii</i>\\u2028"], records: 1000}}
"""
HOSTILE_IDS = ("<img/src=x/onerror=alert(1)>", "</script><script>alert(3)</script>", "<svg/onload=alert(4)>",
               '"><iframe/src=javascript:alert(5)>', "javascript:alert(7)//store", "ak-<b>bold</b>")


def audit_of(*paths: Path, as_of: date, exceptions: str | None = None) -> Audit:
    return build(run(Settings(tuple(str(p) for p in paths), as_of, exceptions=exceptions)))


@pytest.fixture(scope="module")
def acme() -> Audit:
    return audit_of(ACME, as_of=ACME_DATE)


@pytest.fixture(scope="module")
def acme_page(acme: Audit) -> str:
    return html.render(acme)


@pytest.fixture
def hostile(tmp_path: Path) -> Audit:
    write(tmp_path, "org.yaml", HOSTILE)
    return audit_of(tmp_path, as_of=date(2026, 1, 1))


class Page(HTMLParser):
    """The page's elements in document order, each with the text inside it; nothing is rendered."""

    VOID = frozenset({"meta", "br", "wbr", "input"})

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.stack: list[int] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), []))
        if tag not in self.VOID:
            self.stack.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.elements[self.stack.pop()][0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for index in self.stack:
            self.elements[index][2].append(data)

    def text_of(self, tag: str) -> list[str]:
        return ["".join(text) for name, _, text in self.elements if name == tag]

    def tags(self) -> list[str]:
        return [name for name, _, _ in self.elements]

    def rows(self) -> list[list[str]]:
        """Each table row's cells (`td`), in order."""
        rows: list[list[str]] = []
        for name, _, text in self.elements:
            if name == "tr":
                rows.append([])
            elif name == "td":
                rows[-1].append("".join(text))
        return [row for row in rows if row]

    def alerts(self) -> list[str]:
        return ["".join(text) for name, attrs, text in self.elements
                if name == "div" and "alert" in str(attrs.get("class")).split()]

    def options(self) -> dict[str, list[str | None]]:
        """Each `select` by name, with the values of its options."""
        found: dict[str, list[str | None]] = {}
        current: list[str | None] = []
        for name, attrs, _ in self.elements:
            if name == "select":
                current = found.setdefault(str(attrs.get("name")), [])
            elif name == "option":
                current.append(attrs.get("value"))
        return found


# --- the audit record ---------------------------------------------------------------------------------------------


def test_the_headline_is_each_leaver_who_reaches_customer_data_with_the_records(acme: Audit) -> None:
    assert [(h.id, h.display_name, h.team, h.records, h.reached) for h in acme.headline] == [
        ("kim.jh", "Kim Jae-hyun", "auth-platform", 588_694_000, 10)]
    assert acme.leavers == 1
    assert [(r.id, r.records) for r in acme.headline[0].resources][3] == ("customers-db", 33_700_000)
    assert acme.left == frozenset({"kim.jh", "novak.p", "dubois.a"})


def test_the_totals_count_identities_by_kind_and_status_and_the_records_exposed(acme: Audit) -> None:
    assert acme.totals == audit_module.Totals(
        people=(("departed", 3, 1), ("leave", 1, 0), ("active", 37, 24)),
        principals=(("user", 39, 25), ("service", 12, 10), ("external", 2, 2)),
        stores=10, reached=10, records=588_694_000, unknown=0)


def test_who_reaches_a_store_is_grouped_by_status_departed_first(acme: Audit) -> None:
    store = next(s for s in acme.stores if s.id == "customers-db")
    assert (store.records, store.classes, store.groups, store.total) == (
        33_700_000, ("customer_pii",),
        (Count("departed", 1, 1), Count("active", 17, 17), Count("service", 0, 5)), 41)
    assert [(r.id, r.kind, r.group) for r in store.reachers[:2]] == [
        ("kim.jh", "person", "departed"), ("kim.jh-cloud", "principal", "departed")]
    assert [s.node for s in store.reachers[0].path] == [
        "kim.jh", "auth-platform", "auth-jwt-signing", "order-sync", "orders-rw", "customers-db"]
    assert [s.id for s in acme.stores][:4] == ["orders-db", "orders-warehouse", "addresses-db", "customers-db"]


def test_a_leaver_has_what_still_gives_them_access_with_the_findings_on_it(acme: Audit) -> None:
    kim = acme.headline[0]
    assert (kim.access, kim.access_total) == ((
        Access("ak-kim-jh-cloud", "credential", "access_key", None, date(2024, 3, 11), date(2026, 11, 24), None, True,
               ("PL101", "PL105")),
        Access("tok-auth-admin-kim", "credential", "token", None, date(2025, 4, 2), date(2026, 11, 25), None, True,
               ("PL101", "PL107")),
        Access("kim.jh-cloud", "account", "", None, None, None, None, True, ()),
        Access("auth-jwt-signing", "key", "signing", "auth-platform", date(2023, 3, 1), None, date(2024, 11, 18), True,
               ("PL301", "PL302", "PL303", "PL304", "PL305")),
        Access("auth-platform", "group", "", None, None, None, None, True, ())), 5)


def test_a_leaver_s_access_through_their_account_and_a_group_they_are_in(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", """
        policylint: 1
        people: [{id: gone, status: departed, departed: 2025-01-01}]
        principals:
          - {id: gone-sso, type: user, person: gone}
          - {id: app, type: service}
        groups:
          - {id: admins, members: [gone-sso]}
          - {id: everyone-staff, members: [gone]}
          - {id: nested, members: [admins]}
          - {id: staff, members: [gone]}
        credentials:
          - {id: gone-key, type: access_key, principal: gone-sso, status: active, created: 2024-02-01}
          - {id: old-key, type: access_key, principal: gone-sso, status: revoked}
          - {id: shared-token, type: token, principal: app, holders: [nested], status: active}
        keys:
          - {id: signer, purpose: signing, storage: file, readable_by: [admins], signs_for: ["*"]}
        roles:
          - {id: reader, assumable_by: [admins, staff], grants: [{resource: db, actions: [read]}]}
          - {id: direct, assumable_by: [gone], grants: [{resource: db, actions: [write]}]}
          - {id: harmless, assumable_by: [gone]}
        grants:
          - {to: gone, resource: db, actions: [read]}
        resources:
          - {id: db, type: database, data: [customer_pii], records: 10}
        """)
    gone = audit_of(tmp_path, as_of=date(2026, 1, 1)).headline[0]
    assert [(a.id, a.kind, a.via, a.customer) for a in gone.access] == [
        ("gone-key", "credential", None, True), ("shared-token", "credential", "nested", False),
        ("gone-sso", "account", None, True), ("signer", "key", "admins", True), ("admins", "group", "gone-sso", True),
        ("staff", "group", None, True), ("direct", "role", None, True), ("db", "grant", None, True)]
    assert [a.type for a in gone.access][-1] == "read"


def test_each_person_has_their_accounts_on_every_platform() -> None:
    shopco = audit_of(SHOPCO, as_of=SHOPCO_DATE)
    choi = next(h for h in shopco.people if h.id == "choi.dh")
    assert (choi.display_name, choi.team, choi.status) == ("Dohyun Choi", "Engineering", "departed")
    assert choi.accounts == (Account("aws:iam::111122223333:user/choi.dh", "aws"),
                             Account("gcp:user:choi.dh@shopco.example", "gcp"),
                             Account("k8s:default:user:choi.dh@shopco.example", "kubernetes"))


def test_lists_stop_at_their_bound_and_counts_stay_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_module, "MAX_LISTED", 3)
    monkeypatch.setattr(audit_module, "MAX_PEOPLE", 5)
    monkeypatch.setattr(audit_module, "MAX_STORES", 2)
    bounded = audit_of(ACME, as_of=ACME_DATE)
    assert [s.id for s in bounded.stores] == ["orders-db", "orders-warehouse"]
    assert [(len(s.reachers), s.total) for s in bounded.stores] == [(3, 41), (3, 29)]
    assert (len(bounded.people), bounded.people_total, bounded.totals.reached) == (5, 41, 10)
    assert [h.id for h in bounded.people][:3] == ["kim.jh", "dubois.a", "novak.p"]


# --- redaction and escaping ---------------------------------------------------------------------------------------


def test_every_field_of_the_audit_records_is_placed_by_whether_an_input_can_fill_it() -> None:
    for record in (Audit, Holder, Store, Reacher, Account, Access, Count):
        names = {f.name for f in dataclasses.fields(record)}
        assert names == FROM_INPUTS[record.__name__] | OURS[record.__name__], record.__name__
        assert not FROM_INPUTS[record.__name__] & OURS[record.__name__]


NOT_SHOWN = {("Finding", "evidence"), ("Rule", "match"), ("Rule", "location"), ("Rule", "subjects"),
             ("Rule", "matches")}  # what the page never shows (the evidence is compared, not displayed)


def strings(value: Any, where: str = "audit") -> Iterator[tuple[str, str]]:
    """Every string inside an audit, with where it is, through records, collections and errors."""
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if (type(value).__name__, f.name) not in NOT_SHOWN:
                yield from strings(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, InputError):
        yield from strings(value.location, f"{where}.location")
        yield from strings(value.message, f"{where}.message")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key, where)
            yield from strings(item, f"{where}[{key}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings(item, f"{where}[]")


def test_every_string_of_a_hostile_audit_is_redacted_and_printable_once_mapped(hostile: Audit) -> None:
    assert any(SECRET in text for _, text in strings(hostile))  # the inventory does put it in the audit
    shown = mapped(hostile, html.visible)
    found = list(strings(shown))
    assert {where for where, text in found if text != html.visible(text)} == set()
    assert {where for where, text in found if SECRET in text or "\u202e" in text or "\x1b" in text} == set()
    assert {"<img/src=x/onerror=alert(1)>", "</script><script>alert(3)</script>"} <= {text for _, text in found}


def test_hostile_ids_are_text_in_the_page_and_the_secret_is_not_there(hostile: Audit) -> None:
    page = html.render(hostile)
    parsed = Page(page)
    assert set(parsed.tags()) & {"img", "iframe", "i"} == set()  # (<b> is the page's own, in chips)
    assert parsed.tags().count("script") == 1
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    text = parsed.text_of("body")[0]
    for hostile_id in HOSTILE_IDS:
        assert hostile_id in text, hostile_id
    assert SECRET not in page and "K7MDENG" not in page
    assert "\u202e" not in page and "\x1b" not in page and "\u2028" not in page
    assert "<img src=x onerror=alert(11)>\\u202e" in text
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", page)  # no element has an event handler
    assert "javascript:" not in " ".join(str(a.get("href")) for _, a, _ in parsed.elements)


def test_the_page_may_run_only_its_own_script_and_load_nothing(acme_page: str) -> None:
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', acme_page)
    assert csp is not None
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert csp.group(1) == (f"default-src 'none'; style-src 'unsafe-inline'; script-src &#x27;sha256-{digest}&#x27;; "
                            "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; "
                            "form-action 'none'".replace("'", "&#x27;"))
    assert re.findall(r"<script>(.*?)</script>", acme_page, flags=re.S) == [SCRIPT]
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", acme_page)
    assert "@import" not in acme_page and "url(" not in acme_page


# --- the page -----------------------------------------------------------------------------------------------------


def test_the_headline_names_the_departed_engineer_and_the_customer_master(acme_page: str) -> None:
    headline = acme_page[acme_page.index('<section id="headline">'):acme_page.index('<section id="stores"')]
    parsed = Page(headline)
    assert parsed.text_of("h3")[0] == "Kim Jae-hyun"
    assert "kim.jh" in parsed.text_of("code")
    rows = {cells[0]: cells[2] for cells in parsed.rows() if len(cells) == 4}  # store, data, records, path
    assert rows["customers-db"] == "33.7M"
    assert "Can reach 588,694,000 customer records across 10 stores (a customer may be in several)." in "".join(
        parsed.text_of("p"))
    assert parsed.alerts() == ["1 person who has left can still reach customer data. Kim Jae-hyun can reach 588.7M "
                               "customer records across 10 stores (a customer may be in several)."]


UNKNOWN_SIZES = """
policylint: 1
people:
  - {id: gone.p, status: departed, departed: 2025-01-01, name: "Gone Person"}
groups:
  - {id: data, members: [gone.p]}
roles:
  - id: reader
    assumable_by: [data]
    grants:
      - {resource: exports-bucket, actions: [read]}
      - {resource: events-table, actions: [read]}
resources:
  - {id: exports-bucket, type: bucket, data: [customer_pii]}
  - {id: events-table, type: database, data: [customer_events]}
"""


def test_stores_of_unknown_size_are_never_read_as_0_records_nor_counted_twice(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", UNKNOWN_SIZES)
    page = html.render(audit_of(tmp_path, as_of=date(2026, 1, 1)))
    parsed = Page(page)
    assert parsed.alerts() == ["1 person who has left can still reach customer data. Gone Person can reach 2 "
                               "customer-data stores of unknown size."]
    assert "Can reach 2 customer-data stores of unknown size." in parsed.text_of("p")
    tile = Page(page[page.index('<div class="tile">'):]).rows()[:2]
    assert tile == [["reachable by someone", "2"], ["of unknown size", "2"]]
    assert parsed.text_of("span").count("size unknown: no record count") == 2
    person = next(row for row in parsed.rows() if row[0] == "Gone Persongone.p")
    assert person[3] == "unknown2 stores, 2 of unknown size"
    assert not re.search(r"\b0 (customer )?records", parsed.text_of("main")[0])


@pytest.mark.parametrize(("case", "counts", "said"), [
    ("none", (0, 0, 0), "no customer-data store"),
    ("one of known size", (1200, 1, 0), "1,200 customer records in 1 store"),
    ("summed over several", (588_694_000, 10, 0), "588,694,000 customer records across 10 stores (a customer may be in "
                                                  "several)"),
    ("all of unknown size", (0, 2, 2), "2 customer-data stores of unknown size"),
    ("one of unknown size", (0, 1, 1), "1 customer-data store of unknown size"),
    ("some of unknown size", (1200, 5, 2), "at least 1,200 customer records across 3 stores (a customer may be in "
                                           "several), and 2 more stores of unknown size"),
    ("one more of unknown size", (1200, 2, 1), "at least 1,200 customer records in 1 store, and 1 more store of "
                                               "unknown size"),
])
def test_how_much_customer_data_reads(case: str, counts: tuple[int, int, int], said: str) -> None:
    assert reach_words(*counts, lambda n: f"{n:,}") == said


def test_a_store_counts_people_once_with_their_own_accounts_beside_them(acme_page: str) -> None:
    store = acme_page[acme_page.index('id="store-1"'):acme_page.index('id="store-2"')]
    assert Page(store).text_of("p")[0] == (
        "41 identities can reach it: 1 person who left (and their account) 17 active people (and 17 of their "
        "accounts) 5 services ")


def test_a_leaver_s_card_lists_what_to_revoke_linked_to_its_findings(acme_page: str) -> None:
    card = acme_page[acme_page.index('<div class="revoke">'):]
    card = card[:card.index("</div>")]
    assert Page(card).text_of("li") == [
        "Revoke access key ak-kim-jh-cloud (created 2024-03-11; last used 2026-11-24) · findings PL101, PL105",
        "Revoke token tok-auth-admin-kim (created 2025-04-02; last used 2026-11-25) · findings PL101, PL107",
        "Disable account kim.jh-cloud",
        "Rotate signing key auth-jwt-signing they can read (through auth-platform) (created 2023-03-01; last rotated "
        "2024-11-18) · findings PL301, PL302, PL303, PL304, PL305",
        "Remove them from group auth-platform"]
    links = re.findall(r'<a href="#(finding-\d+)">(PL\d+)</a>', card)
    assert [rule for _, rule in links] == ["PL101", "PL105", "PL101", "PL107", "PL301", "PL302", "PL303", "PL304",
                                           "PL305"]
    for anchor, rule in links:
        article = re.search(rf'<article class="card finding [a-z]+" id="{anchor}" [^>]*data-rule="{rule}"', acme_page)
        assert article is not None, anchor


BROKEN = "policylint: 1\npeople:\n  - {id: x, staus: active}\n"  # two input errors


@pytest.mark.parametrize(("case", "inventory", "broken", "line"), [
    ("no roster", "principals: [{id: svc, type: service}]\nresources: [{id: db, type: database, data: [customer]}]\n",
     False, "who has left cannot be known: no HR roster among the inputs; 0 suppressed"),
    ("nothing classified", "people: [{id: kim, status: departed}]\nresources: [{id: db, type: database}]\n", False,
     "who can reach customer data is unknown: no store is classified as customer data; 0 suppressed"),
    ("input errors", "people: [{id: kim, status: active}]\nresources: [{id: db, type: database, data: [customer]}]\n",
     True, "0 people who left can reach customer data in the files read; 2 input errors: the report may miss what "
           "those files hold; 0 suppressed"),
    ("nobody left", "people: [{id: kim, status: active}]\nresources: [{id: db, type: database, data: [customer]}]\n",
     False, "0 people who left can reach customer data; 0 suppressed"),
])
def test_the_console_line_never_reads_as_safe_when_it_cannot_know(case: str, inventory: str, broken: bool, line: str,
                                                                  tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", "policylint: 1\n" + inventory)
    if broken:
        write(tmp_path, "broken.yaml", BROKEN)
    said = html.summary_line(audit_of(tmp_path, as_of=date(2026, 1, 1)))
    assert said[said.index("; ") + 2:] == f"{line}; as of 2026-01-01"


def test_the_glossary_says_every_relation_a_path_can_show(acme_page: str) -> None:
    findings = acme_page[acme_page.index('<section id="findings"'):]
    terms = Page(findings[:findings.index("<form")]).text_of("dt")
    assert terms == [term for term, _ in GLOSSARY]
    said = " ".join(terms)
    for label in ("holds", "authenticates as", "is", "member of", "assumes", "read", "write", "delete", "admin",
                  "all actions", "controls", "reads key", "signs for", "(every principal)", "(anyone)",
                  "(ids matching …)", "(every resource)", "[if …]"):
        assert label in said, label


def test_a_departure_date_the_roster_does_not_give_is_explained() -> None:
    page = html.render(audit_of(SHOPCO, as_of=SHOPCO_DATE))
    explained = ("the roster (SCIM) gives no departure date, so the date is when their account record last changed "
                 "(meta.lastModified), most likely when it was deactivated")
    assert f"Departure date: {explained}." in Page(page).text_of("p")
    assert ["per meta.lastModified", f"a departure date: {explained}."] in [
        [dt, dd] for dt, dd in zip(Page(page).text_of("dt"), Page(page).text_of("dd"), strict=True)]
    assert basis_words("the departure date; the roster says active") == (
        "as the inputs have it: the departure date; the roster says active")


def test_a_rule_s_why_and_how_print_once(acme: Audit, acme_page: str) -> None:
    repeated = acme_page.count('<div class="why repeat">')
    assert repeated == len(acme.report.findings) - len({f.rule for f in acme.report.findings}) > 0
    once = '<p class="print-only small muted">Why it matters and how to fix it: as for the '
    assert acme_page.count(once) == repeated


def test_each_finding_has_its_picture_with_a_box_per_step(acme: Audit, acme_page: str) -> None:
    articles = re.findall(r'<article class="card finding .*?</article>', acme_page, flags=re.S)
    assert len(articles) == len(acme.report.findings) == 32
    ordered = sorted(acme.report.findings, key=lambda f: (["critical", "high", "medium", "low", "info"].index(
        f.severity), f.rule, f.location, f.subject_id))
    for finding, article in zip(ordered, articles, strict=True):
        assert f'data-rule="{finding.rule}"' in article
        assert article.count("<svg") == 1
        assert article.count('<g class="node') == max(len(finding.path), 1), finding


def test_the_filters_offer_every_severity_rule_and_platform_present() -> None:
    shopco = audit_of(SHOPCO, as_of=SHOPCO_DATE)
    page = Page(html.render(shopco))
    assert page.options() == {
        "severity": ["", "critical", "high", "medium"],
        "rule": ["", *sorted({f.rule for f in shopco.report.findings})],
        "platform": ["", "aws", "gcp", "kubernetes", "roster"],
    }
    assert [a.get("hidden") for tag, a, _ in page.elements if tag == "form"] == [None]  # shown by the script only


def test_suppressed_findings_are_listed_with_reason_owner_and_expiry(tmp_path: Path) -> None:
    exceptions = write(tmp_path, "exceptions.yaml", """
        exceptions:
          - rule: PL302
            subject: auth-jwt-signing
            reason: "moving to the KMS in Q1"
            owner: lee.sy
            expires: 2027-03-01
        """)
    page = html.render(audit_of(ACME, as_of=ACME_DATE, exceptions=str(exceptions)))
    section = page[page.index('<section id="suppressed">'):]
    assert [cells[1:5] for cells in Page(section).rows()] == [
        ["exception", "moving to the KMS in Q1", "lee.sy", "2027-03-01"]]
    assert "PL302" in section and "Suppressed (1)" in page


def test_short_numbers_and_breakable_ids() -> None:
    assert [short(n) for n in (None, 999, 184_000, 5_860_000, 33_700_000, 198_000_000, 2_100_000_000)] == [
        "unknown", "999", "184K", "5.9M", "33.7M", "198M", "2.1B"]
    assert breakable("aws:iam::1:user/<b>") == "aws:<wbr>i" "am:<wbr>:<wbr>1:<wbr>user/<wbr>&lt;b&gt;"


# --- the pictures -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "text", "lines"), [
    ("fits", "kim.jh", ("kim.jh",)),
    ("breaks after separators", "aws:iam::111122223333:user/choi.dh",
     ("aws:iam::", "111122223333:user/", "choi.dh")),
    ("a long run is cut", "x" * 40, ("x" * 18, "x" * 18, "xxxx")),
    ("the middle goes past the last line", "a/" * 40, ("a/" * 9, "a/" * 9, "a/" * 9, "…" + "/a" * 8 + "/")),
])
def test_wrap(case: str, text: str, lines: tuple[str, ...]) -> None:
    assert wrap(text, 18, 4) == lines


@pytest.mark.parametrize(("case", "text", "width", "lines"), [
    ("fits", "member of", 12, ("member of",)),
    ("between words", "via every principal", 12, ("via every", "principal")),
    ("after punctuation", "read, write, delete, admin", 13, ("read, write,", "delete, admin")),
    ("a word too long", "if aws:MultiFactorAuthPresent=true", 12, None),
    ("too many lines", "via ids matching a b c d e f", 4, None),
])
def test_fit_breaks_labels_only_between_words(case: str, text: str, width: int,
                                              lines: tuple[str, ...] | None) -> None:
    assert fit(text, width, 3) == lines


def test_a_label_too_long_for_the_gap_is_a_note_under_the_picture() -> None:
    path = (Step("mateo", "person"), Step("aws:iam::1:user/mateo", "principal", "is"),
            Step("aws:iam::1:role/auth-operator", "role", "assumes", condition="aws:MultiFactorAuthPresent=true"),
            Step("db", "resource", "grants", ("read",), condition="x" * 120))
    drawn = draw(path, left=(), customer=())
    labels = re.findall(r'<text class="(rel|via|cond)"[^>]*>([^<]*)</text>', drawn)
    assert labels == [("rel", "is"), ("rel", "assumes"), ("cond", "if [1]"), ("rel", "read"), ("cond", "if [2]")]
    assert Page(drawn).text_of("li") == [
        "[1] if aws:MultiFactorAuthPresent=true (the step to aws:iam::1:role/auth-operator)",
        f"[2] if {'x' * 120} (the step to db)"]
    assert max(len(text) for _, text in labels) <= min(REL_CHARS, HOW_CHARS)


def test_ten_steps_wrap_onto_rows_within_the_print_width() -> None:
    kinds = ["person", "principal", "group", "role", "credential", "principal", "role", "key", "principal", "resource"]
    path = tuple(Step(f"node-{n}", kind, "" if n == 0 else "member") for n, kind in enumerate(kinds))
    svg = draw(path, left={"node-0"}, customer={"node-9"})
    xs = [int(x) for x in re.findall(r'\bx[12]?="(-?\d+)"', svg)]
    xs += [int(x) for points in re.findall(r'points="([^"]+)"', svg) for x in re.findall(r"(-?\d+),", points)]
    assert len(re.findall(r'<g class="node', svg)) == 10
    assert svg.count('class="edge"') == 9
    assert WIDTH == COLUMNS * BOX_W + (COLUMNS - 1) * GAP <= 800
    assert f'viewBox="0 0 {WIDTH + 2 * MARGIN} ' in svg
    assert min(xs) >= 0 and max(xs) <= WIDTH + 2 * MARGIN
    assert len(set(re.findall(r'<tspan x="\d+" y="(\d+)"', svg))) >= 3  # three rows of boxes
    assert 'class="node k-person m-left"' in svg and 'class="node k-resource m-customer"' in svg
    assert ">PERSON · LEFT<" in svg and ">CUSTOMER DATA<" in svg and ">ROLE<" in svg


def test_an_arrow_says_the_relation_the_set_it_went_through_and_its_condition() -> None:
    path = (Step("kim.jh", "person"), Step("auth-jwt-signing", "key", "reads_key"),
            Step("order-sync", "principal", "mints", through="every principal"),
            Step("orders-db", "resource", "grants", ("read", "write"), condition="aws:SourceVpc=vpc9"))
    svg = draw(path, left=(), customer=())
    labels = re.findall(r'<text class="(rel|via|cond)"[^>]*>([^<]*)</text>', svg)
    assert labels == [("rel", "reads key"), ("rel", "signs for"), ("via", "via every"), ("via", "principal"),
                      ("rel", "read, write"), ("cond", "if aws:"), ("cond", "SourceVpc="), ("cond", "vpc9")]
    assert "edge-notes" not in svg


# --- bounded: long paths, many pairs, unknown sizes ------------------------------------------------------------


def chain(groups: int, every: int) -> str:
    """`groups` nested groups, the last granted a store, and a service in every `every`-th (hostile review, chain/)."""
    lines = ["policylint: 1", "principals:", *(f"  - {{id: s{n}, type: service}}" for n in range(0, groups, every)),
             "groups:"]
    for n in range(groups):
        members = ([f"s{n}"] if n % every == 0 else []) + ([f"g{n - 1}"] if n else [])
        lines.append(f"  - {{id: g{n}, members: [{', '.join(members)}]}}")
    lines += ["grants:", f"  - {{to: g{groups - 1}, resource: db, actions: [read]}}", "resources:",
              "  - {id: db, type: database, data: [customer_pii], records: 1, logging: true, monitoring: true, "
              "log_retention_days: 400}"]
    return "\n".join(lines) + "\n"


def test_a_long_path_is_drawn_as_its_first_and_last_steps_around_a_box_saying_how_many() -> None:
    path = (Step("s0", "principal"), *(Step(f"g{n}", "group", "member") for n in range(998)),
            Step("db", "resource", "grants", ("read",)))
    svg = draw(path, left=(), customer={"db"})
    ids = re.findall(r'<g class="node k-\w+[^"]*"><title>([^<]*) \(', svg)
    assert ids == ["s0", "g0", "g1", "g2", "g3", "g993", "g994", "g995", "g996", "g997", "db"]
    assert re.findall(r'<text class="gap-text">(.*?)</text>', svg) == [
        '<tspan x="291" y="143">… 989 more</tspan><tspan x="291" y="157">steps …</tspan>'
        '<tspan x="291" y="171">every step:</tspan><tspan x="291" y="185">--format json</tspan>']
    assert svg.count('class="edge gap"') == 1 and svg.count('class="edge"') == 10
    assert re.search(r"<title>s0 –member of→ g0 –member of→ g1 –member of→ g2 –member of→ g3 … 989 more steps "
                     r"\(every one: policylint check or reach --format json\) … –member of→ g993", svg)
    short_path = path[:30]
    assert "the full path is" in draw(short_path, left=(), customer=())


def test_a_long_path_in_text_is_its_first_and_last_steps() -> None:
    path = (Step("a", "person"), *(Step(f"g{n}", "group", "member") for n in range(100)))
    assert path_text(path, 2, 1) == ("a –member of→ g0 … 98 more steps (every one: policylint check or reach "
                                     "--format json) … –member of→ g99")
    assert path_text(path[:40]) == compact(path[:40])
    assert path_text(path * 10) == path_text(path).replace("… 61 more steps", "… 970 more steps")


def test_a_chain_of_1000_groups_makes_a_page_of_a_few_mb_linear_in_what_it_lists(tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", chain(1000, 5))
    page = html.render(audit_of(tmp_path, as_of=date(2026, 1, 1)))
    cards = re.findall(r'<article class="card finding.*?</article>', page, re.S)
    assert len(cards) == 200  # every service is a finding (no owner), each with its path of up to 1,001 steps
    assert max(len(card) for card in cards) < 10_000
    assert len(page) < 3_000_000
    assert page.count('<g class="node k-gap">') == 200 - 2  # s990 and s995 are 12 steps or fewer from db


def test_the_page_stops_listing_at_its_size_budget_and_says_how_to_get_the_rest(
        monkeypatch: pytest.MonkeyPatch, acme: Audit) -> None:
    monkeypatch.setattr(htmlfindings, "FINDINGS_BUDGET", 1)
    monkeypatch.setattr(html, "STORES_BUDGET", 1)
    page = html.render(acme)
    parsed = Page(page)
    assert page.count('<article class="card finding') == 1 and page.count('<article class="card store"') == 1
    more = [text for text in parsed.text_of("p") if text.startswith("and ")]
    assert more == ["and 9 more stores (the page lists 1, to stay small enough for a browser to open; policylint "
                    "reach --to STORE --format json lists who reaches any one).",
                    f"and {len(acme.report.findings) - 1} more findings (the page lists 1, to stay small enough for a "
                    "browser to open; policylint check --format json lists every one)."]
    linked = set(re.findall(r'href="#((?:finding|store)-\d+)"', page))
    assert linked <= set(re.findall(r'id="((?:finding|store)-\d+)"', page))


def brute_force_counts(analysis: Any) -> dict[str, tuple[tuple[Count, ...], int]]:
    """Who of each group reaches each store, one (identity, store) pair at a time: the oracle of the bitset counts."""
    tallies: dict[str, dict[str, tuple[set[str], int, int]]] = {}
    for node in [*analysis.inventory.people, *analysis.inventory.principals]:
        group, person = audit_module.group_of(node, analysis), analysis.index.person_of(node.id)
        for resource in analysis.reach.reached_resources(node.id):
            people, accounts, identities = tallies.setdefault(resource.id, {}).get(group, (set(), 0, 0))
            tallies[resource.id][group] = (people | ({person.id} if person else set()),
                                           accounts + (node.kind == "principal"), identities + 1)
    return {store: (tuple(Count(g, len(t[g][0]), t[g][1]) for g in audit_module.GROUPS if g in t),
                    sum(identities for _, _, identities in t.values())) for store, t in tallies.items()}


@pytest.mark.parametrize(("case", "inventory", "as_of"), [("acme", ACME, ACME_DATE), ("shopco", SHOPCO, SHOPCO_DATE)])
def test_who_reaches_each_store_is_counted_as_a_count_over_every_pair_would(case: str, inventory: Path,
                                                                           as_of: date) -> None:
    result = run(Settings((str(inventory),), as_of))
    expected = brute_force_counts(result.analysis)
    found = build(result)
    assert {s.id: (s.groups, s.total) for s in found.stores} == expected
    assert found.totals.reached == len(expected)


UNCOUNTED = """
policylint: 1
people:
  - {id: ann, status: departed, departed: 2025-01-01}
  - {id: bob, status: departed, departed: 2025-01-01}
principals:
  - {id: u-ann, type: user, person: ann}
  - {id: u-bob, type: user, person: bob}
grants:
  - {to: u-ann, resource: big-db, actions: [read]}
  - {to: u-bob, resource: uncounted-db, actions: [read]}
resources:
  - {id: big-db, type: database, data: [customer_pii], records: 5000000}
  - {id: uncounted-db, type: database, data: [customer_pii]}
"""


def test_stores_nobody_counted_sort_as_the_largest_and_their_leavers_are_never_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_module, "MAX_LISTED", 1)
    monkeypatch.setattr(audit_module, "MAX_STORES", 1)
    write(tmp_path, "org.yaml", UNCOUNTED)
    found = audit_of(tmp_path, as_of=date(2026, 1, 1))
    assert ([h.id for h in found.headline], found.leavers) == (["bob"], 2)
    assert [h.id for h in found.people] == ["bob", "ann"]
    assert [s.id for s in found.stores] == ["uncounted-db"]
    more = [text for text in Page(html.render(found)).text_of("p") if text.startswith("and ")]
    assert more == ["and 1 more (the page lists 1; policylint reach --status departed --status suspended --format "
                    "json lists every one).", "and 1 more (the page lists the first 1, riskiest first).",
                    "and 1 more store (the page lists the largest 1; policylint reach --to STORE --format json lists "
                    "who reaches any one)."]


def labels_of(svg: str) -> list[tuple[str, str]]:
    return [(cls, unescape(text)) for cls, text in re.findall(r'<text class="(rel|via|cond)"[^>]*>([^<]*)</text>', svg)]


GLOB = "projects/acme-shop-prod/buckets/customer-exports-*-eu-west-1/objects/daily/2026/*"  # 80 characters


def test_a_condition_on_an_arrow_to_the_next_row_is_on_its_own_line_never_cut() -> None:
    path = (*(Step(f"n{n}", "group", "" if n == 0 else "member") for n in range(4)),
            Step("db", "resource", "grants", ("read",), condition="request.time < timestamp('2027-01-01')",
                 through=f"ids matching {GLOB}"))
    svg = draw(path, left=(), customer=())
    assert labels_of(svg)[-2:] == [("rel", "[1]"), ("cond", "if request.time < timestamp('2027-01-01')")]
    assert Page(svg).text_of("li") == [f"[1] read via ids matching {GLOB} (the step to db)"]
    fits = draw((*path[:4], Step("db", "resource", "grants", ("read",), condition="x" * 120, through="anyone")),
                left=(), customer=())
    assert labels_of(fits)[-2:] == [("rel", "read via anyone"), ("cond", "if [1]")]
    assert Page(fits).text_of("li") == [f"[1] if {'x' * 120} (the step to db)"]


def test_a_set_too_long_for_the_gap_leaves_the_condition_in_sight() -> None:
    path = (Step("a", "group"), Step("db", "resource", "grants", ("read",), condition="aws:SourceVpc=v9",
                                     through=f"ids matching {GLOB}"))
    svg = draw(path, left=(), customer=())
    assert labels_of(svg) == [("rel", "read"), ("via", "via [1]"), ("cond", "if aws:"), ("cond", "SourceVpc=v9")]
    longer = draw((path[0], replace(path[1], condition="aws:SourceVpc=vpc9")), left=(), customer=())
    assert labels_of(longer) == [("rel", "read"), ("via", "via [1]"), ("cond", "if [2]")]
    assert Page(longer).text_of("li") == [f"[1] via ids matching {GLOB} (the step to db)",
                                          "[2] if aws:SourceVpc=vpc9 (the step to db)"]


# --- the command --------------------------------------------------------------------------------------------------


def test_report_writes_the_page_and_exits_as_check(tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    result = run_cli("report", str(ACME), "--as-of", "2026-11-27", "-o", str(target))
    assert (result.code, result.out) == (1, "")
    assert result.err == (f"wrote {target}: 32 findings (3 critical, 19 high, 10 medium); 1 person who left can reach "
                          "customer data; 0 suppressed; as of 2026-11-27\n")
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert run_cli("report", str(ACME), "--as-of", "2026-11-27", "-o", str(target), "--fail-on", "critical",
                   "--ignore", "PL1", "--ignore", "PL3").code == 0


def test_report_needs_an_output_file() -> None:
    result = run_cli("report", str(ACME))
    assert result.code == 2
    assert "Missing option '-o' / '--output-file'" in result.err


def test_input_errors_are_listed_in_the_page_and_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "org", "people.yaml", "policylint: 1\npeople:\n  - {id: kim, staus: active}\n")
    target = tmp_path / "audit.html"
    result = run_cli("report", str(tmp_path / "org"), "-o", str(target))
    assert result.code == 2
    section = target.read_text(encoding="utf-8").split('<section id="problems">')[1]
    people = tmp_path / "org" / "people.yaml"
    assert Page(section).text_of("li") == [
        f"{people}:3:5: expected the key 'status', found a mapping without it (at people[0])",
        f"{people}:3:15: unknown key 'staus' (at people[0]); did you mean 'status'?"]
    assert f"{people}:3:15: error: unknown key 'staus'" in result.err
    assert '<a href="#problems">2 input errors</a>: this report may miss what those files hold.' in target.read_text(
        encoding="utf-8")


@pytest.mark.parametrize(("case", "inventory", "said", "not_said"), [
    ("nothing classified", "people: [{id: kim, status: departed}]\nresources: [{id: db, type: database}]\n",
     "No resource is classified as customer data, so who can reach it is unknown, not none", "Nobody who has left"),
    ("no roster", "principals: [{id: svc, type: service}]\nresources: [{id: db, type: database, data: [customer]}]\n",
     "No HR roster among the inputs, so who has left cannot be known", "Nobody who has left"),
    ("nobody left", "people: [{id: kim, status: active}]\nresources: [{id: db, type: database, data: [customer]}]\n",
     "Nobody who has left can reach customer data.", "unknown"),
])
def test_the_headline_never_reads_as_safe_when_it_cannot_know(case: str, inventory: str, said: str, not_said: str,
                                                               tmp_path: Path) -> None:
    write(tmp_path, "org.yaml", "policylint: 1\n" + inventory)
    page = html.render(audit_of(tmp_path, as_of=date(2026, 1, 1)))
    headline = page[page.index('<section id="headline">'):page.index("<h3")]
    assert said in headline
    assert not_said not in headline


def test_the_readme_shows_the_report_and_the_command_that_made_it() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The auditor's report"):readme.index("## Run the tests")]
    assert ".venv/bin/policylint report examples/acme --as-of 2026-11-27 -o audit.html" in section
    assert "](docs/report.png)" in section and "--screenshot=docs/report.png" in section
    image = (REPO / "docs" / "report.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(image[16:20], "big") == 1280  # a desktop's width
    assert len(image) < 400_000
