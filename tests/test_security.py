"""Security headers, no third-party hosts, production settings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def test_pages_send_a_strict_content_security_policy(client, project, login_as):
    login_as("lead", project)
    response = client.get(f"/projects/{project.id}/chain/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_styles_or_scripts_that_the_policy_would_block(client, project, login_as):
    login_as("lead", project)
    for url in (f"/projects/{project.id}", f"/projects/{project.id}/chain/", "/"):
        page = client.get(url).get_data(as_text=True)
        assert " style=" not in page and "<style" not in page, url
        # Scripts only from our own files (the pages work without them): none inline, none elsewhere.
        scripts = re.findall(r"<script\b[^>]*>", page)
        own = r'<script src="/(static|vendor)/[^"]+" defer>'
        assert scripts and all(re.fullmatch(own, tag) for tag in scripts), url
        assert "</script>" * len(scripts) == "".join(re.findall(r"</script>", page)), url


def test_no_template_or_module_references_a_third_party_host():
    pattern = re.compile(r"""(src|href)=["']https?://|url\(["']?https?://|cdn\.|googleapis|unpkg""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("templates", "impact")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".py", ".css", ".js", ".svg"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_every_page_has_csrf_tokens_in_its_forms_and_no_third_party_hosts(app_with, project):
    """Every page of the permission matrix, opened by the lead with CSRF on: each POST form has a token,
    and nothing is loaded or linked from another host (locked-down office browsers block them)."""
    from tests import factories
    from tests.permission_cases import PUBLIC_FORM
    from tests.test_permissions import CASES, furnish, world

    furnish(project)
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    lead = factories.user_with_role("lead", project)
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD, "csrf_token": token})
    ids = world(project)
    pages_with_forms = 0
    for case in CASES:
        if case.method != "GET" or case.need == "admin" or "{token}" in case.path:
            continue
        if case.need == PUBLIC_FORM:
            response = protected.test_client().get(case.path.format(**ids))
        else:
            response = client.get(case.path.format(**ids))
        if not response.content_type.startswith("text/html"):
            continue
        page = response.get_data(as_text=True)
        assert not re.search(r'(src|href|action)="(https?:)?//(?!localhost[:/"])', page), f"{case.path}: another host"
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, flags=re.S)
        pages_with_forms += bool(forms)
        for form in forms:
            assert re.search(r'name="([\w-]+-)?csrf_token"', form), f"{case.path}: a POST form without a CSRF token"
    assert pages_with_forms > 30


def test_production_refuses_to_start_without_secret_key_or_real_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("BASE_URL", "https://impact.example.org")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate()
    monkeypatch.setenv("SECRET_KEY", "s3cret-" * 8)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        ProductionConfig.validate()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    ProductionConfig.validate()


def test_errors_render_a_page_not_a_trace(client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def _login_attempts(client, address: str, times: int, email: str = "x@example.org") -> list[int]:
    return [
        client.post("/login", data={"email": email, "password": "guess"},
                    headers={"X-Forwarded-For": address}).status_code
        for _ in range(times)
    ]


@pytest.fixture
def limited_app(app_with, monkeypatch):
    """limited_app(**settings): an app with rate limits on, for this test only.

    The limiter is one object for the whole process and each init_app overwrites its
    `enabled` flag: without restoring it, every later test's logins would be limited.
    """
    from impact.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    return lambda **settings: app_with(RATELIMIT_ENABLED=True, **settings)


def test_behind_a_proxy_each_forwarded_address_has_its_own_login_limit(limited_app, db):
    client = limited_app(PROXY_FIX_X_FOR=1).test_client()
    assert _login_attempts(client, "203.0.113.9", 11) == [400] * 10 + [429]
    # another visitor behind the same proxy is not locked out by the first one's guesses
    assert _login_attempts(client, "198.51.100.7", 1) == [400]
    assert _login_attempts(client, "203.0.113.9", 1) == [429]


def test_without_the_proxy_setting_a_forged_forwarded_address_does_not_escape_the_limit(limited_app, db):
    client = limited_app().test_client()
    assert _login_attempts(client, "203.0.113.9", 10) == [400] * 10
    assert _login_attempts(client, "198.51.100.7", 1) == [429]


def test_one_persons_failed_logins_do_not_lock_out_the_office_behind_the_same_address(limited_app, db):
    client = limited_app(LOGIN_NETWORK_RATE_LIMIT="15 per minute").test_client()
    office = "203.0.113.9"
    assert _login_attempts(client, office, 11, "sam@council.gov.uk") == [400] * 10 + [429]
    # A colleague at the same address can still log in ("Sam" stays locked out)...
    assert _login_attempts(client, office, 1, "alex@council.gov.uk") == [400]
    assert _login_attempts(client, office, 1, " SAM@council.gov.uk") == [429]
    # ...but guessing at many accounts from one address meets the network limit.
    tries = [_login_attempts(client, office, 1, f"user{n}@council.gov.uk")[0] for n in range(5)]
    assert tries[0] == 400 and tries[-1] == 429


def test_oversized_numbers_and_nul_bytes_in_requests_are_not_errors(client, project, login_as):
    login_as("lead", project)
    huge = "9" * 25
    assert client.get(f"/projects/{huge}").status_code == 404
    assert client.get(f"/projects/{project.id}/chain/steps/{2**31}").status_code == 404
    for url in ("/", f"/projects/{project.id}/members", f"/projects/{project.id}/chain/revisions",
                f"/projects/{project.id}/evidence/", f"/projects/{project.id}/story/snapshots",
                f"/projects/{project.id}/events/", f"/projects/{project.id}/assessment/"):
        # Past the last page: "not found", or the list's empty last page; never a server error.
        assert client.get(f"{url}?page={huge}").status_code in (200, 404), url
    response = client.post(f"/projects/{project.id}/chain/levels", data={"name": "Policy\x00 change"})
    assert response.status_code == 302
    from impact.toc.services import load_chain
    assert "Policy change" in [level.name for level in load_chain(project.id).levels]
