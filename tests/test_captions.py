"""Numbered, captioned figures and tables (issue 27): mrmkit.present.captions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from mrmkit.present import captions  # noqa: E402


def test_a_captioned_figure_is_an_escaped_figure_with_its_caption_and_a_png():
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    bundle = captions.captioned(fig, 'PSI of <b>"income"</b> & co')._repr_mimebundle_()
    assert bundle["image/png"] and "<b>" not in bundle["text/html"]
    assert 'alt="Chart, described in its caption"' in bundle["text/html"]  # data never in an attribute
    assert (
        '<figcaption class="mrmkit-caption">PSI of &lt;b&gt;&quot;income&quot;&lt;/b&gt; &amp; co</figcaption>'
        in (bundle["text/html"])
    )


def test_captions_are_numbered_in_document_order_once():
    body = (
        '<figure><figcaption class="mrmkit-caption">A</figcaption></figure>'
        "<table><caption>T1</caption></table>"
        '<figure><figcaption class="mrmkit-caption">B</figcaption></figure>'
        '<table><caption class="x">T2</caption></table>'
    )
    out = captions.number(body)
    assert out.count("Figure 1:") == out.count("Figure 2:") == out.count("Table 1:") == out.count("Table 2:") == 1
    assert out.index("Figure 1:") < out.index(" A<") < out.index("Figure 2:") < out.index(" B<")
    assert captions.number(out) == out
