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
.muted { color: #5b6570; font-size: 0.9em; } img { max-width: 100%; }
.charts img { max-width: 48%; margin-right: 1%; vertical-align: top; }
.key { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.82em; overflow-wrap: break-word; }
table.findings td:first-child { width: 9em; } .conclusion h3 { margin-bottom: 0.2em; } .conclusion p { margin-top: 0.2em; }
.sign-off td { height: 2.2em; } .sign-off span.blank { display: inline-block; min-width: 12em; border-bottom: 1px solid #333; }
@media print { a { color: inherit; text-decoration: none; } tr, img { break-inside: avoid; } h2 { break-after: avoid; }
               body { max-width: none; margin: 0; } }

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
@media print { .rendered_html table, table.dataframe { display: table; overflow: visible; font-size: 7pt; }
  table.dataframe th.row_heading { overflow-wrap: anywhere; min-width: 9em; }
  table.dataframe thead th { overflow-wrap: anywhere; min-width: 3.6em; }
  table { page-break-inside: auto; } thead { display: table-header-group; } }
"""
