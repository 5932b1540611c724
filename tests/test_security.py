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
        assert "<script" not in page, url  # no JavaScript at all yet: every page works without it


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


def test_every_post_form_carries_a_csrf_token(app_with, project):
    from tests import factories

    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    lead = factories.user_with_role("lead", project)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": lead.email, "password": factories.PASSWORD, "csrf_token": token})
    for url in (f"/projects/{project.id}/chain/", f"/projects/{project.id}/members", f"/projects/{project.id}/chain/revisions"):
        page = client.get(url).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, flags=re.S)
        assert forms, url
        assert all('name="csrf_token"' in form for form in forms), url


def test_production_refuses_to_start_without_secret_key_or_real_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate()
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        ProductionConfig.validate()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    ProductionConfig.validate()


def test_errors_render_a_page_not_a_trace(client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)
