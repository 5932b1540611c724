"""A cached page's shell (header, tabs, messages) is kept apart from its content, and never carries one
request's session into another's: the token in its forms, the viewer's name, their messages."""
from __future__ import annotations

import gzip
import re
import time

import pytest

from impact import precompressed
from impact.extensions import db as _db
from impact.publishing.services import publish
from tests import factories

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SLOT = b"\x00slot\x00"


def _signed_in(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _published(app, project) -> str:
    lead = factories.user_with_role("lead", project)
    with app.test_request_context():
        publish(_db.session.merge(project), "Interim report", _db.session.merge(lead))
        _db.session.commit()
    return f"/projects/{project.id}/reports/1"


def test_a_kept_page_carries_each_sessions_own_token_and_its_forms_work(app_with, db, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    funder = factories.user_with_role("funder", project)
    first_browser, second_browser = _signed_in(protected, funder), _signed_in(protected, funder)
    for _ in range(3):  # rendered, then content kept, then the shell kept too
        first = first_browser.get(path).get_data(as_text=True)
    second = second_browser.get(path).get_data(as_text=True)  # the same viewer: the same kept shell
    assert "Interim report" in second
    assert TOKEN.search(first).group(1) != TOKEN.search(second).group(1)
    assert second_browser.post("/logout", data={"csrf_token": TOKEN.search(second).group(1)}).status_code == 302
    assert second_browser.get(path).status_code == 302  # logged out: sent to log in
    assert first_browser.post("/logout", data={"csrf_token": TOKEN.search(first).group(1)}).status_code == 302


def test_a_kept_page_shows_the_viewer_as_they_are_now(app_with, db, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    funder = factories.user_with_role("funder", project)
    browser = _signed_in(protected, funder)
    for _ in range(2):
        assert ">Funder</a>" in browser.get(path).get_data(as_text=True)
    funder.name = "Dr Ada Funder"
    _db.session.commit()
    page = browser.get(path).get_data(as_text=True)
    assert ">Dr Ada Funder</a>" in page and ">Funder</a>" not in page
    project.title = "A renamed project"
    _db.session.commit()
    assert '<p class="project-nav-title">A renamed project</p>' in browser.get(path).get_data(as_text=True)


def test_a_message_for_this_request_shows_on_a_kept_page_and_only_once(app_with, db, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    browser = _signed_in(protected, factories.user_with_role("funder", project))
    for _ in range(2):
        browser.get(path)
    with browser.session_transaction() as session:
        session["_flashes"] = [("success", "Your token was created.")]
    assert "Your token was created." in browser.get(path).get_data(as_text=True)
    assert "Your token was created." not in browser.get(path).get_data(as_text=True)


def test_a_viewer_whose_role_changes_gets_the_new_roles_tabs_at_once(app_with, db, project):
    from impact.projects.models import Membership, Role

    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    funder = factories.user_with_role("funder", project)
    browser = _signed_in(protected, funder)
    members = f'href="/projects/{project.id}/members"'
    for _ in range(2):
        assert members not in browser.get(path).get_data(as_text=True)
    _db.session.query(Membership).filter_by(user_id=funder.id).update({"role": Role.LEAD})
    _db.session.commit()
    for _ in range(2):  # a lead reads the team's view of the version: rendered, then kept
        assert members in browser.get(path).get_data(as_text=True)


def test_a_sessions_signed_token_is_reused_and_still_refused_in_another_session(app_with, db, project):
    """A session's CSRF secret is signed once and that token served on its later pages (signing it on
    every page was a tenth of a kept page): the token must keep submitting, and belong to that session alone."""
    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    funder = factories.user_with_role("funder", project)
    browser, other_browser = _signed_in(protected, funder), _signed_in(protected, funder)
    token = TOKEN.search(browser.get(path).get_data(as_text=True)).group(1)
    time.sleep(1.1)  # a signature made now would carry another second
    assert TOKEN.search(browser.get(path).get_data(as_text=True)).group(1) == token
    other_token = TOKEN.search(other_browser.get(path).get_data(as_text=True)).group(1)
    assert other_token != token
    assert other_browser.post("/logout", data={"csrf_token": token}).status_code == 400  # not its session's
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert other_browser.post("/logout", data={"csrf_token": other_token}).status_code == 302


def test_a_kept_page_goes_gzipped_to_a_browser_that_takes_it_and_reads_as_the_same_page(app_with, db, project):
    protected = app_with(WTF_CSRF_ENABLED=True)
    path = _published(protected, project)
    browser = _signed_in(protected, factories.user_with_role("funder", project))
    takes_gzip = {"Accept-Encoding": "gzip, deflate, br"}
    rendered = browser.get(path, headers=takes_gzip)  # rendered now: sent as it was rendered
    assert rendered.headers.get("Content-Encoding") is None and "Accept-Encoding" in rendered.headers["Vary"]
    for _ in range(2):  # then from the cache, its shell kept too
        zipped = browser.get(path, headers=takes_gzip)
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
        plain = browser.get(path)
        assert plain.headers.get("Content-Encoding") is None and "Accept-Encoding" in plain.headers["Vary"]
        assert gzip.decompress(zipped.data) == plain.data
        assert len(zipped.data) < len(plain.data) / 3
    refused = browser.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.headers.get("Content-Encoding") is None and refused.data == plain.data
    page = gzip.decompress(zipped.data).decode()
    assert "Interim report" in page and page.rstrip().endswith("</html>")
    token = TOKEN.search(page).group(1)
    # The token travels uncompressed, apart from the page's text: how well a response compresses tells nothing of it.
    assert token.encode() in zipped.data
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("text", [b"", b"<p>plain</p>", SLOT, SLOT * 3, b"a" + SLOT + b"b" + SLOT + b"c",
                                  bytes(range(256)) * 400 + SLOT + "é ü".encode() * 9000])
def test_pieces_joined_into_one_gzip_body_decode_to_the_pieces_joined_as_text(text):
    pieces = (precompressed.pack(b"<head>" + SLOT, SLOT), precompressed.pack(text, SLOT),
              precompressed.pack(SLOT + b"</html>", SLOT))
    for token in (b"", b"IjQ5ZjM.token", b"t" * 5000):
        joined = precompressed.joined(pieces, token)
        assert joined == (b"<head>" + SLOT + text + SLOT + b"</html>").replace(SLOT, token)
        assert gzip.decompress(precompressed.gzipped(pieces, token)) == joined
