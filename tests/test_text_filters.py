"""The template filters for written text and counts (impact/text_filters.py), and pages that use them."""
from __future__ import annotations

import datetime as dt

import pytest
from jinja2 import Environment
from markupsafe import Markup

from impact.evidence import services as library
from impact.evidence.models import EvidenceKind
from impact.extensions import db as _db
from impact.projects.models import PartnerGroup
from impact.text_filters import FILTERS, counted, plural, split_paragraphs


def render(app, source: str, **context) -> str:
    """Through the app's own environment, as an .html page is: autoescaped."""
    return app.jinja_env.from_string(source).render(**context)


# Paragraphs ----------------------------------------------------------------------------------------

def test_the_app_registers_the_filters(app):
    for name, fn in FILTERS.items():
        assert app.jinja_env.filters[name] is fn


def test_each_paragraph_is_escaped_then_wrapped(app):
    page = render(app, "{{ text|paragraphs }}", text='<script>alert("x")</script> & <b>bold</b>\n\n<i>two</i>')
    assert page == ("<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"
                    "<p>&lt;i&gt;two&lt;/i&gt;</p>")


def test_blank_lines_part_paragraphs_and_single_newlines_do_not(app):
    text = "One\nstill one.\n\n\n\nTwo\n  \t\nThree\n\n"
    assert render(app, "{{ text|paragraphs }}", text=text) == "<p>One\nstill one.</p><p>Two</p><p>Three</p>"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_windows_and_old_mac_newlines(app, newline):
    text = newline.join(["First,", "", "second", "line two", "", "", "third"])
    assert render(app, "{{ text|paragraphs }}", text=text) == "<p>First,</p><p>second\nline two</p><p>third</p>"


@pytest.mark.parametrize("text", ["", None, "   ", "\r\n\r\n", "\n \n\t\n"])
def test_empty_text_gives_nothing_or_the_empty_wording(app, text):
    assert render(app, "{{ text|paragraphs }}", text=text) == ""
    assert render(app, '{{ text|paragraphs(empty="(none)") }}', text=text) == "<p>(none)</p>"
    assert render(app, "{{ text|paragraphs(empty=word) }}", text=text, word="<none>") == "<p>&lt;none&gt;</p>"


def test_text_already_marked_safe_is_not_escaped_twice(app):
    assert render(app, "{{ text|paragraphs }}", text=Markup("<em>a</em> &amp; b")) == "<p><em>a</em> &amp; b</p>"


def test_the_result_is_safe_markup_that_autoescape_leaves_alone(app):
    result = render(app, "{% set p = text|paragraphs %}{{ p }}|{{ p|e }}", text="a & b")
    assert result == "<p>a &amp; b</p>|<p>a &amp; b</p>"


def test_outside_autoescape_the_text_is_left_as_it_is():
    env = Environment(autoescape=False)
    env.filters.update(FILTERS)
    assert env.from_string("{{ text|paragraphs }}").render(text="a < b\r\n\r\nc") == "<p>a < b</p><p>c</p>"


def test_split_paragraphs():
    assert split_paragraphs(" a \r\n\r\n b\nc ") == ["a", "b\nc"]
    assert split_paragraphs(None) == [] and split_paragraphs("") == []


# Counts --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "word", "phrase"), [(0, "links", "0 links"), (1, "link", "1 link"),
                                                        (2, "links", "2 links"), (21, "links", "21 links")])
def test_plural_and_counted(count, word, phrase):
    assert plural(count, "link") == word
    assert counted(count, "link") == phrase


def test_plural_of_a_collection_counts_it_and_takes_any_pair():
    assert plural([], "this row", "these rows") == "these rows"
    assert plural(["one"], "this row", "these rows") == "this row"
    assert plural({"a": 1, "b": 2}, "cites", "cite") == "cite"
    assert counted(["a", "b", "c"], "person", "people") == "3 people"


def test_counted_in_a_template_escapes_the_words(app):
    assert render(app, '{{ n|counted(word) }}', n=2, word="<b>") == "2 &lt;b&gt;s"


# Pages ---------------------------------------------------------------------------------------------

def test_the_story_shows_the_conclusion_as_escaped_paragraphs(client, project, login_as):
    login_as("team_member", project)
    conclusion = "The seminars <b>plausibly</b> contributed.\r\n\r\nBut caseloads\r\nhindered.\r\n\r\n\r\n"
    response = client.post(f"/projects/{project.id}/story/conclusion", data={"conclusion": conclusion,
                                                                            "version": "0"})
    assert response.status_code == 302
    page = client.get(f"/projects/{project.id}/story/").get_data(as_text=True)
    assert ("<p>The seminars &lt;b&gt;plausibly&lt;/b&gt; contributed.</p><p>But caseloads\nhindered.</p>"
            in page)
    assert "<b>plausibly</b>" not in page


def test_an_evidence_summary_typed_in_a_browser_shows_as_paragraphs(client, project, login_as):
    user = login_as("team_member", project)
    item = library.create_item(project, user, {
        "kind": EvidenceKind.QUESTIONNAIRE, "title": "Seminar questionnaires", "evidence_date": dt.date(2011, 3, 15),
        "source": "", "partner_group": PartnerGroup.PRACTITIONER, "quote": "", "pseudonym": "",
        "consent_to_quote": False,
        # A textarea sends Windows newlines.
        "summary": "Most found it <i>useful</i>.\r\n\r\nSome wanted more time.",
    })
    _db.session.commit()
    page = client.get(f"/projects/{project.id}/evidence/{item.id}").get_data(as_text=True)
    assert "<div><p>Most found it &lt;i&gt;useful&lt;/i&gt;.</p><p>Some wanted more time.</p></div>" in page
