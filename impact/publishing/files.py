"""The published report as PDF and as Word."""
from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt
from flask import render_template

from impact.charts.svg import bar_chart
from impact.publishing.document import ReportDocument


class PdfUnavailable(RuntimeError):
    """WeasyPrint could not load the system's Pango: the installation lacks it (see `make browser`)."""


def pdf_bytes(document: ReportDocument) -> bytes:
    try:
        # Imported here: it loads Pango, a system library, which a server may not have yet; every
        # other page works without it.
        from weasyprint import HTML
    except OSError as missing:
        raise PdfUnavailable(str(missing)) from None
    html = render_template("publishing/print.html", doc=document,
                           progress_chart=bar_chart("Steps by progress", document.progress_counts),
                           voice_chart=bar_chart("Evidence items by partner group", document.voice_counts))
    return HTML(string=html).write_pdf()


def docx_bytes(document: ReportDocument) -> bytes:
    word = Document()
    word.styles["Normal"].font.size = Pt(11)
    word.add_heading(f"Contribution story: {document.title}", level=0)
    word.add_paragraph(f"{document.version}, published {document.published}.")
    word.add_heading("Summary", level=1)
    if document.question:
        word.add_paragraph(document.question, style="Intense Quote")
    for paragraph in (document.conclusion or "No conclusion was written for this version.").split("\n\n"):
        if paragraph.strip():
            word.add_paragraph(paragraph.strip())
    table = word.add_table(rows=1, cols=2)
    table.style = "Light List"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Figure", "Value"
    for name, value in document.figures:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, value
    word.add_heading("Steps by progress", level=2)
    for name, count in document.progress_counts:
        word.add_paragraph(f"{name}: {count}", style="List Bullet")
    word.add_heading("The steps of the chain", level=1)
    level = None
    for step in document.steps:
        if step.level != level:
            level = step.level
            word.add_heading(level, level=2)
        word.add_heading(step.title, level=3)
        word.add_paragraph(f"Progress: {step.progress}. Confidence: {step.confidence}. {step.counts}.")
        if step.rationale:
            word.add_paragraph(step.rationale)
        for heading, entries in step.evidence:
            word.add_paragraph(heading, style="Heading 4")
            for entry in entries:
                text = entry["title"] + (f" — “{entry['quote']}” ({entry['pseudonym']})" if entry.get("quote") else "")
                word.add_paragraph(text, style="List Bullet")
    if document.claims:
        word.add_heading("Contribution claims", level=1)
        claims = word.add_table(rows=1, cols=3)
        claims.style = "Light List"
        for cell, heading in zip(claims.rows[0].cells, ("Claim", "Prior", "Posterior"), strict=True):
            cell.text = heading
        for statement, prior, posterior in document.claims:
            cells = claims.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = statement, prior, posterior
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
