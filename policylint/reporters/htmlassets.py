"""The audit page's style and its one script, inlined: the page loads nothing (its Content-Security-Policy forbids
any request) and reads the same with the script off; the script only filters the findings."""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root{--ink:#1b2230;--muted:#5a6474;--faint:#8a93a3;--line:#e2e6ec;--bg:#f5f6f8;--card:#fff;--navy:#16233b;
--red:#b42318;--red-bg:#fef3f2;--orange:#c4320a;--orange-bg:#fff4ed;--amber:#a15c07;--amber-bg:#fffaeb;
--blue:#1d4ed8;--blue-bg:#eff4ff;--green:#1f7a4d;--green-bg:#ecfdf3;--gray-bg:#f2f4f7;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Liberation Sans",Arial,sans-serif}
code,.mono{font-family:var(--mono);font-size:.86em;overflow-wrap:anywhere}
h1,h2,h3,h4{line-height:1.25;margin:0}
h2{font-size:1.35rem;margin:0 0 4px}
h3{font-size:1.05rem}
h4{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:14px 0 4px}
p{margin:6px 0}
a{color:var(--blue);text-decoration:none}
a:hover{text-decoration:underline}
.wrap{max-width:1140px;margin:0 auto;padding:0 28px}
.masthead{background:var(--navy);color:#fff;padding:26px 0 0}
.brand{font-size:.78rem;letter-spacing:.12em;text-transform:uppercase;color:#a9b6cc}
.masthead h1{font-size:1.9rem;font-weight:650;margin:6px 0 4px}
.masthead .meta{color:#c9d2e0;margin:0 0 18px}
.masthead nav{display:flex;flex-wrap:wrap;gap:4px 22px;border-top:1px solid #2c3b57;padding:10px 0}
.masthead nav a{color:#dbe4f3;font-size:.9rem}
main{padding:10px 0 40px}
section{margin:30px 0}
.lede{color:var(--muted);margin:0 0 14px;max-width:78ch}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:12px 0}
.alert{border-left:5px solid var(--red);background:var(--red-bg);border-radius:8px;padding:14px 18px;margin:12px 0;
font-size:1.05rem}
.alert.calm{border-color:var(--green);background:var(--green-bg)}
.alert.unknown{border-color:var(--amber);background:var(--amber-bg)}
.leaver{border-left:5px solid var(--red)}
.leaver header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.leaver h3{font-size:1.25rem}
.accounts{display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px;margin:4px 0}.accounts .chips{display:contents}
.big{font-size:1.05rem}
.big strong{font-size:1.25rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin:12px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}
.tile .n{font-size:1.7rem;font-weight:650;line-height:1.1}
.tile .l{color:var(--muted);font-size:.88rem}
.tile table{margin:8px 0 0;font-size:.88rem}
.tile td,.tile th{padding:3px 0 3px 8px;overflow-wrap:anywhere}.tile td:first-child,.tile th:first-child{padding-left:0}
.tile th{font-size:.7rem;border-bottom:1px solid var(--line)}
.tile tr:last-child td{border-bottom:0}
table{width:100%;border-collapse:collapse;font-size:.9rem;margin:8px 0}
th{text-align:left;font-weight:600;color:var(--muted);font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;
border-bottom:2px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top;overflow-wrap:break-word}
table.fixed{table-layout:fixed}
.nowrap{white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.group td{background:var(--gray-bg);font-weight:600;font-size:.82rem;color:var(--muted)}
.path-text{font-family:var(--mono);font-size:.78rem;color:var(--muted);overflow-wrap:anywhere}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:.75rem;font-weight:600;line-height:1.6;
white-space:nowrap;background:var(--gray-bg);color:var(--muted);border:1px solid transparent}
.s-departed,.s-suspended,.sev-critical{background:var(--red-bg);color:var(--red);border-color:#f4c7c3}
.sev-high,.s-unowned{background:var(--orange-bg);color:var(--orange);border-color:#f9d2b8}
.sev-medium,.s-external{background:var(--amber-bg);color:var(--amber);border-color:#f5dfa5}
.sev-low,.s-leave{background:var(--blue-bg);color:var(--blue);border-color:#c9d8fb}
.s-active{background:var(--green-bg);color:var(--green);border-color:#bfe6cf}
.chips{display:flex;flex-wrap:wrap;gap:4px 6px;margin:6px 0}
.chip{font-family:var(--mono);font-size:.76rem;background:var(--gray-bg);border:1px solid var(--line);border-radius:5px;
padding:1px 6px;overflow-wrap:anywhere}
.chip b{font-family:system-ui,sans-serif;font-weight:600;color:var(--muted);margin-right:4px}
.store header,.finding header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.store .records{margin-left:auto;font-weight:650;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.finding{border-left:5px solid var(--line)}
.finding.critical{border-left-color:var(--red)}.finding.high{border-left-color:var(--orange)}
.finding.medium{border-left-color:#e0a526}.finding.low{border-left-color:var(--blue)}
.finding .message{font-size:1rem;margin:8px 0;overflow-wrap:anywhere}
.finding .where{color:var(--muted);font-size:.84rem;overflow-wrap:anywhere}
.revoke{background:var(--red-bg);border-radius:8px;padding:2px 14px 6px;margin:8px 0}
.revoke h4{margin-top:8px;color:var(--red)}
.revoke ul{margin:2px 0;padding-left:18px}.revoke li{margin:3px 0;overflow-wrap:anywhere}
.glossary{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:3px 24px;margin:4px 0 14px;
font-size:.84rem}
.glossary dt{display:inline;font-family:var(--mono);font-size:.78rem;font-weight:600;margin-right:6px}
.glossary dd{display:inline;margin:0;color:var(--muted)}
.edge-notes{list-style:none;margin:2px 0 0;padding:0;font-size:.8rem;color:var(--amber);overflow-wrap:anywhere}
.print-only{display:none}
.why{display:grid;grid-template-columns:1fr 1fr;gap:0 24px;font-size:.9rem}
figure{margin:12px 0 4px;overflow-x:auto}
figcaption{margin-top:4px}
svg.path{display:block;max-width:100%;height:auto}
svg.path text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
text-anchor:middle}
svg.path .id{font-family:var(--mono);font-size:11px;fill:#1b2230}
svg.path .badge{font-size:8.5px;letter-spacing:.08em;font-weight:700}
svg.path .rel{font-size:10px;fill:#344054}
svg.path .via{font-size:9.5px;fill:#667085;font-style:italic}
svg.path .cond{font-size:9.5px;fill:#a15c07;font-style:italic;font-weight:600}
svg.path .edge line,svg.path .edge polyline{stroke:#667085;stroke-width:1.4;fill:none}
svg.path .head{fill:#667085}
svg.path .halo{fill:#fff;stroke:none}
svg.path .shape{stroke-width:1.4}
svg.path .fold{fill:none;stroke-width:1.1}
.k-person .shape{fill:#eef4ff;stroke:#3b5bdb}.k-person .badge{fill:#3b5bdb}
.k-principal .shape{fill:#e9f8f4;stroke:#138a6c}.k-principal .badge{fill:#138a6c}
.k-group .shape{fill:#f3effd;stroke:#6b4fc8}.k-group .back{fill:#e6defa}.k-group .badge{fill:#6b4fc8}
.k-role .shape{fill:#fff6e6;stroke:#b7791f}.k-role .badge{fill:#98620f}
.k-credential .shape{fill:#f2f4f7;stroke:#475467}.k-credential .fold{stroke:#475467}.k-credential .badge{fill:#475467}
.k-key .shape{fill:#fdf0f7;stroke:#a23b72}.k-key .fold{fill:#fff;stroke:#a23b72}.k-key .badge{fill:#a23b72}
.k-resource .shape{fill:#eefaf2;stroke:#2f7d4f}.k-resource .fold{stroke:#2f7d4f}.k-resource .badge{fill:#2f7d4f}
.k-gap .shape{fill:#fff;stroke:#98a2b3;stroke-dasharray:5 4}svg.path .gap-text{font-size:10.5px;fill:#475467}
svg.path .edge.gap line,svg.path .edge.gap polyline{stroke-dasharray:4 4}
.m-left .shape{fill:#fef3f2;stroke:#b42318;stroke-width:2.6}.m-left .badge{fill:#b42318}
.m-customer .shape{fill:#fff1ef;stroke:#b42318;stroke-width:2.6}.m-customer .fold{stroke:#b42318}
.m-customer .badge{fill:#b42318}
.legend{display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center;font-size:.82rem;color:var(--muted)}
.legend svg{vertical-align:middle}
form.filters{position:sticky;top:0;z-index:2;background:var(--bg);padding:10px 0;display:flex;flex-wrap:wrap;
gap:8px 12px;align-items:end;border-bottom:1px solid var(--line)}
form.filters label{display:flex;flex-direction:column;font-size:.74rem;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em;gap:2px}
form.filters select,form.filters input{font:inherit;font-size:.9rem;text-transform:none;letter-spacing:0;
color:var(--ink);background:#fff;border:1px solid #cdd3dc;border-radius:6px;padding:5px 8px;min-width:140px}
form.filters input{min-width:220px}
form.filters output{margin-left:auto;font-size:.88rem;color:var(--muted)}
footer{border-top:1px solid var(--line);padding:16px 0 40px;color:var(--muted);font-size:.84rem}
@media (max-width:760px){.why{grid-template-columns:1fr}.wrap{padding:0 14px}}
@media print{
@page{size:A4;margin:14mm 12mm}
:root{--bg:#fff}
body{font-size:10.5pt;background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.wrap{max-width:none;padding:0}
.masthead{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink);padding:0 0 8px}
.masthead .brand,.masthead .meta{color:var(--muted)}
.masthead nav,form.filters{display:none}
.card,.tile{border-color:#cfd5de}
.card.leaver{border-left-color:var(--red)}
.tile,.revoke li,.glossary>div{break-inside:avoid}
tr,figure,.chips,.store header,.finding header{break-inside:avoid}
h3,h4,.store header,.finding header,.finding .message,.finding .where{break-after:avoid}
.print-only{display:block}
.why.repeat{display:none}
h2,.lede,.legend{break-after:avoid}
section{margin:18px 0}
.grid{display:flex;flex-wrap:wrap}.grid .tile{flex:1 1 calc(50% - 12px)}
a{color:inherit}
figure{overflow:visible}
}
"""

SCRIPT = """(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var shown = document.getElementById("shown");
  var fields = ["severity", "rule", "platform"];
  function apply() {
    var text = form.elements.text.value.trim().toLowerCase();
    var count = 0;
    items.forEach(function (item) {
      var keep = fields.every(function (name) {
        var wanted = form.elements[name].value;
        return !wanted || item.getAttribute("data-" + name) === wanted;
      }) && (!text || item.textContent.toLowerCase().indexOf(text) !== -1);
      item.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count + " of " + items.length + " findings shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());"""


def script_hash() -> str:
    """The script's hash for the Content-Security-Policy: only this script can run, never one an input injected."""
    return "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")


CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src '{script}'; img-src 'none'; font-src 'none'; "
       "connect-src 'none'; base-uri 'none'; form-action 'none'")
