"""The published report as PDF and Word: opened as their readers' software would, and only what was published."""
from __future__ import annotations

import io
import re

from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from impact.extensions import db as _db
from impact.projects.models import Project
from impact.publishing.models import PublishedReport
from tests import factories


def _funder(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    project = _db.session.scalar(select(Project))
    assert client.post("/login", data={"email": "funder@demo.example.org", "password": "demo-password"}).status_code \
        == 302
    return project


def test_the_pdf_is_a4_with_contents_page_numbers_the_diagram_and_the_charts(app, db, client):
    project = _funder(app, client)
    response = client.get(f"/projects/{project.id}/reports/1.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 4
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert "Contribution story: Engaging with involuntary clients" in text and "Contents" in pages[0]
    assert all(f"Page {number} of {len(pages)}" in page for number, page in enumerate(pages, start=1))
    assert "Munro" in text  # the conclusion
    # The contents give the page each section starts on, and the section is there.
    contents = dict(re.findall(r"(Summary|The results chain|Headline figures|The steps of the chain) \.+ (\d+)",
                               pages[0]))
    assert set(contents) == {"Summary", "The results chain", "Headline figures", "The steps of the chain"}
    for heading, number in contents.items():
        assert heading in pages[int(number) - 1], heading
    # The diagram is drawn (as vector graphics, its labels text): the chain's steps on the chain's page.
    chain_page = pages[int(contents["The results chain"]) - 1]
    report = _db.session.scalar(select(PublishedReport))
    drawn = [step["title"] for step in report.story["steps"] if step["title"][:20] in chain_page]
    assert len(drawn) >= len(report.story["steps"]) // 2, drawn
    # The charts, each with its figures as a table.
    figures_page = pages[int(contents["Headline figures"]) - 1] + pages[int(contents["Headline figures"])]
    assert "Steps by progress" in figures_page and "Evidence items by partner group" in figures_page
    drawing = reader.pages[int(contents["Headline figures"]) - 1].get_contents().get_data()
    assert drawing.count(b" re") >= 5  # the bars, drawn as rectangles


def test_the_word_file_holds_the_summary_and_each_step(app, db, client):
    project = _funder(app, client)
    response = client.get(f"/projects/{project.id}/reports/1.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Contribution story: Engaging with involuntary clients" in text and "Summary" in text and "Munro" in text
    report = _db.session.scalar(select(PublishedReport))
    for step in report.story["steps"]:
        assert step["title"] in text, step["title"]
    tables = ["\n".join(cell.text for row in table.rows for cell in row.cells) for table in document.tables]
    assert any("Response rate" in table for table in tables) and any("Posterior" in table for table in tables)


def test_the_files_hold_only_what_was_published(app, db, client):
    project = _funder(app, client)
    report = _db.session.scalar(select(PublishedReport))
    item_quotes = [entry["quote"] for step in report.story["steps"] for entry in step["evidence"] if entry["quote"]]
    assert item_quotes
    # After publishing, a quote's consent is withdrawn and the team renames a step.
    from impact.evidence.models import EvidenceItem
    from impact.toc.models import Step

    quoted = _db.session.scalar(select(EvidenceItem).where(EvidenceItem.quote == item_quotes[0]))
    quoted.consent_to_quote = False
    step = _db.session.scalar(select(Step).where(Step.project_id == project.id).order_by(Step.id))
    step.title = "Renamed after publishing"
    _db.session.commit()
    words = Document(io.BytesIO(client.get(f"/projects/{project.id}/reports/1.docx").data))
    text = "\n".join(paragraph.text for paragraph in words.paragraphs)
    assert item_quotes[0] not in text and "Renamed after publishing" not in text
    pdf = PdfReader(io.BytesIO(client.get(f"/projects/{project.id}/reports/1.pdf").data))
    assert "Renamed after publishing" not in "\n".join(page.extract_text() for page in pdf.pages)
    # Another project's member gets nothing.
    outsider = app.test_client()
    other = factories.user_with_role("lead", factories.chain_project())
    outsider.post("/login", data={"email": other.email, "password": factories.PASSWORD})
    assert outsider.get(f"/projects/{project.id}/reports/1.pdf").status_code == 404
