"""The one stylesheet of every page mrmkit writes: the validation report and every workbook report.

System fonts that every printer and PDF engine has (DejaVu on Linux), A4 pages with margins, tables that
wrap instead of running off the page, keys and hashes that break anywhere rather than lose characters at
the edge, figures scaled to the page. Nothing is loaded from another host.
"""

__all__ = ["CSS"]

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif; color: #1d2329;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1.4em; font-size: 0.93em; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
th { background: #f3f5f7; }
table.identity th { width: 14em; background: none; font-weight: 600; }
.badge { display: inline-block; min-width: 4.2em; text-align: center; padding: 1px 8px; border-radius: 9px;
         font-weight: 600; font-size: 0.9em; }
.red { background: #f9d0d0; color: #7a0c0c; } .amber { background: #fdebc8; color: #6b4500; }
.green { background: #d9f2d9; color: #14521f; } .failed { background: #444; color: #fff; }
.complete, .evidenced { background: #e3e9f1; color: #1f2f44; } .none { background: #eee; color: #555; }
.gap { background: #fff; color: #7a0c0c; border: 1px solid #7a0c0c; }
.draft-banner { border: 2px solid #7a0c0c; color: #7a0c0c; padding: 6px 12px; font-size: 1.05em; }
.draft-mark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 120px; font-weight: 700;
  color: rgba(122, 12, 12, 0.10); transform: rotate(-30deg); pointer-events: none; z-index: 10; }
.verdict { display: flex; flex-wrap: wrap; gap: 12px 40px; } .verdict > div { flex: 1 1 20em; } .verdict p { margin: 0.3em 0; }
figure.mrmkit-figure { margin: 0.8em 0; } figure.mrmkit-figure img { max-width: 100%; }
figcaption.mrmkit-caption, caption { text-align: left; color: #333; padding: 4px 0; }
.caption-number { font-weight: 600; }
.muted { color: #5b6570; font-size: 0.9em; } img { max-width: 100%; }
.charts { display: flex; flex-wrap: wrap; gap: 0 2%; } .charts figure.mrmkit-figure { flex: 0 1 48%; }
dl.glossary-terms dt { font-weight: 600; margin-top: 0.5em; } dl.glossary-terms dd { margin: 0.1em 0 0 1.4em; }
.key { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.82em; overflow-wrap: break-word; }
table.tests td:first-child { width: 40%; } .issue h3 { margin-bottom: 0.3em; } .decision { border-left: 4px solid #8a94a0; padding-left: 12px; } .conclusion h3 { margin-bottom: 0.2em; } .conclusion p { margin-top: 0.2em; }
.sign-off td { height: 2.2em; } .sign-off span.blank { display: inline-block; min-width: 12em; border-bottom: 1px solid #333; }
.contents { margin: 1em 0 1.4em; } .contents-title { font-weight: 600; margin: 0 0 0.3em; }
.contents ol { list-style: none; margin: 0; padding-left: 1.2em; } .contents > ol { padding-left: 0; }
.contents > ol > li { margin-top: 0.35em; } .contents li li { font-weight: normal; }
.contents-entry { display: flex; align-items: baseline; } .contents-fill { flex: 1; margin: 0 0.4em;
  border-bottom: 1px dotted #8a94a0; } .contents-page { width: 2.4em; text-align: right; }
.page-ref { display: none; }

/* workbook reports: nbconvert's cells without JupyterLab's stylesheet */
.cell { margin: 0; } .output_area pre, pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85em; }
.rendered_html h1 { font-size: 1.7em; } .anchor-link { display: none; }
.rendered_html table, table.dataframe { border-collapse: collapse; width: auto; max-width: 100%; font-size: 0.85em;
  margin: 0.4em 0 1em; display: block; overflow-x: auto; }
.rendered_html table th, .rendered_html table td { padding: 3px 5px; vertical-align: top; }
table.dataframe th, table.dataframe td { padding: 3px 5px; border-bottom: 1px solid #e3e7eb; text-align: right; }
.rendered_html th.row_heading, .rendered_html th.index_name, table.dataframe th.row_heading,
  table.dataframe th.index_name { text-align: left; }
.rendered_html table thead th, table.dataframe thead th { background: #f3f5f7; vertical-align: bottom; }
code, .key { font-family: ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', monospace; overflow-wrap: anywhere; }
.key { overflow-wrap: break-word; }  /* a metric key breaks after its dots (<wbr>), not inside a name */
.output_png img, .output_svg svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 16mm 14mm; }
/* print: nothing below 9 pt, links that show, headings kept with what follows, one chart a row */
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  table { font-size: 9.5pt; page-break-inside: auto; } thead { display: table-header-group; }
  th, td { padding: 3px 5px; }
  .rendered_html table, table.dataframe { display: table; overflow: visible; font-size: 9pt; }
  .rendered_html table th, .rendered_html table td, table.dataframe th, table.dataframe td { padding: 2px 3px; }
  .rendered_html table th { overflow-wrap: anywhere; }  /* names; a number in a cell never breaks */
  .rendered_html table td { overflow-wrap: break-word; }
  table.dataframe th.row_heading, .rendered_html th.row_heading { min-width: 6em; }
  table.dataframe thead th, .rendered_html thead th { hyphens: auto; min-width: 2.4em; }
  .muted, .badge, .key, code, pre, .output_area pre, .page-ref { font-size: max(9pt, 0.85em); }
  a[href] { color: #0b4f8a; text-decoration: underline; text-decoration-thickness: 0.5pt; }
  .anchor-link { display: none; }
  .page-ref { display: inline-block; width: 3.6em; margin-left: 0.3em; color: #5b6570; white-space: nowrap; }
  .charts img { display: block; width: 100%; max-width: 100%; margin: 0 0 0.8em; }
  tr, img, .output_png, .contents li { break-inside: avoid; }
  h1, h2, h3, h4, h5, :is(h2, h3, h4) + p, .text_cell:has(h1, h2, h3, h4, h5),
    .output_area:has(> .output_markdown) { break-after: avoid; }
  h1, h2, h3, h4, h5 { break-inside: avoid; }
  thead, tbody tr:first-child, .issue > p:has(+ p, + table), .output_area:has(+ .output_area table) { break-after: avoid; }
  table:not(:has(tbody tr:nth-child(9))) { break-inside: avoid; }  /* a short table stays whole */
  p, li { orphans: 3; widows: 3; }
}
"""
