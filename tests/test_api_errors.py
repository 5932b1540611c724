"""Under /api/ every error is JSON ({"error": {"code", "message", "fields"}}) with its status, never a page."""
from __future__ import annotations

import pytest
from flask import Blueprint

from impact.errors import ApiError


def _api_app(app_with, **settings):
    api = Blueprint("api_probe", __name__, url_prefix="/api/v1")

    @api.get("/things/<int:thing_id>")
    def thing(thing_id: int):
        if thing_id == 1:
            raise ApiError(422, "invalid", "The thing is not valid.", fields={"title": ["Too long."]})
        if thing_id == 2:
            raise RuntimeError("a bug")
        return {"id": thing_id}

    @api.post("/things")
    def make_thing():
        return {"made": True}, 201

    probe = app_with(PROPAGATE_EXCEPTIONS=False, **settings)
    probe.register_blueprint(api)
    return probe


def _error(response) -> dict:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


@pytest.mark.parametrize(("path", "method", "status", "code"), [
    ("/api/v1/nowhere", "GET", 404, "not_found"),
    ("/api/v1/things/1", "GET", 422, "invalid"),
    ("/api/v1/things/2", "GET", 500, "server_error"),
    ("/api/v1/things/3", "DELETE", 405, "method_not_allowed"),
])
def test_api_errors_are_json_with_their_status(app_with, db, path, method, status, code):
    response = _api_app(app_with).test_client().open(path, method=method)
    assert response.status_code == status
    error = _error(response)
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)


def test_an_api_error_names_the_fields_at_fault(app_with, db):
    error = _error(_api_app(app_with).test_client().get("/api/v1/things/1"))
    assert error == {"code": "invalid", "message": "The thing is not valid.", "fields": {"title": ["Too long."]}}


def test_errors_before_the_view_runs_are_json_too(app_with, db):
    response = _api_app(app_with, WTF_CSRF_ENABLED=True).test_client().post("/api/v1/things")
    assert response.status_code == 400 and _error(response)["code"] == "csrf_failed"


def test_pages_outside_the_api_still_get_pages(app_with, db):
    response = _api_app(app_with).test_client().get("/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is nothing here" in response.get_data(as_text=True)
