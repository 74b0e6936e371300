"""Write the README's table of ``metrics.json`` keys from ``mrmkit/evidence/metrics_schema.yaml``.

``python tools/make_readme_keys.py`` rewrites the table; ``--check`` exits 1, naming the section, when
the README's table differs from the schema's (a test runs it). One row per documented entry: a group
(``_doc``), a table, or a leaf with the undocumented leaves that follow it in the same group.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mrmkit.evidence import schema

README = Path(__file__).resolve().parents[1] / "README.md"
HEADING = "## Metric keys (`metrics.json`)"
INTRO = (
    'Floats are full precision; NaN is written `null`, infinities `"inf"` / `"-inf"`. Tables (PSI bins, '
    "per-row reason codes and counterfactuals, sensitivity rows) are kept in `tables/*.parquet`; `metrics.json` "
    'holds `{"$table": "tables/<name>.parquet", "rows": n}` in their place, and `mrmkit diff`, `history` '
    "and `reproduce` read them back. Every key is declared in `mrmkit/evidence/metrics_schema.yaml`, which this "
    "table, the workbooks' pydantic models and each package's `metrics.schema.json` are generated from "
    "(`python tools/make_readme_keys.py`); `<name>` stands for a name from the data."
)


def _keys(node: schema.Node, siblings: list[schema.Node]) -> str:
    if node.kind == "group":
        names = list(node.children)
        if names and len(names) <= 10 and all(node.children[n].kind == "leaf" for n in names):
            return f"`{node.path}.{{{','.join(names)}}}`"
        return f"`{node.path}.*`"
    if node.kind == "records":
        return f"`{node.path}[]`"
    first = f"`{node.path}`" + (f" (table: {', '.join(node.columns)})" if node.kind == "table" else "")
    return ", ".join([first, *(f"`.{s.path.rsplit('.', 1)[-1]}`" for s in siblings)])


def rows() -> list[str]:
    out = []
    for node in schema.documented():
        parent_path = node.path.rsplit(".", 1)[0] if "." in node.path else ""
        siblings: list[schema.Node] = []
        if node.kind in ("leaf", "table"):
            parent = schema.load()
            for part in parent_path.split(".") if parent_path else []:
                parent = parent.children[part]
            names = list(parent.children)
            for name in names[names.index(node.path.rsplit(".", 1)[-1]) + 1 :]:
                sib = parent.children[name]
                if sib.doc or sib.kind not in ("leaf", "table"):
                    break
                siblings.append(sib)
        out.append(f"| {_keys(node, siblings)} | {node.doc} |")
    return out


def section() -> str:
    return "\n".join([HEADING, "", INTRO, "", "| key | meaning |", "|---|---|", *rows(), ""])


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    start = text.index(HEADING)
    end = text.index("\n## ", start + len(HEADING)) + 1
    new = text[:start] + section() + "\n" + text[end:]
    if "--check" in argv:
        if new != text:
            print(f"README.md: the section '{HEADING}' is not the schema's; run python tools/make_readme_keys.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
