"""Permission cases for contribution tracing (see tests/permission_cases/__init__.py)."""
from __future__ import annotations

from sqlalchemy import select

from impact.extensions import db as _db
from impact.projects.permissions import Need
from impact.tracing.models import Claim, ClaimTest, TestType
from impact.tracing.services import REMOVED_TEST, delete_test
from impact.trash import TrashRecord, undo_token
from tests.permission_cases import Case, get, post

T = "/projects/{p}/tracing"
CL = T + "/claims/{tr_claim}"
TS = CL + "/tests/{tr_test}"

CASES: list[Case] = [
    get("tracing.index", T + "/", Need.READ),
    post("tracing.settings", T + "/settings", Need.MANAGE, enabled="y"),
    get("tracing.new_claim", T + "/claims/new", Need.EDIT),
    post("tracing.new_claim", T + "/claims/new", Need.EDIT, statement="The guide changed practice", about="",
         prior="40%"),
    get("tracing.claim", CL, Need.READ),
    get("tracing.edit_claim", CL + "/edit", Need.EDIT),
    post("tracing.edit_claim", CL + "/edit", Need.EDIT, statement="The seminars mattered", about="step-{step}",
         prior="0.6", version="{tr_claim_version}"),
    get("tracing.delete_claim", CL + "/delete", Need.EDIT),
    post("tracing.delete_claim", CL + "/delete", Need.EDIT),
    post("tracing.add_test", CL + "/tests", Need.EDIT, description="Managers mention the seminar",
         test_type="hoop", sensitivity="", type_one_error="", found="not_found", version="{tr_claim_version}"),
    post("tracing.restore_test", CL + "/tests/restore", Need.EDIT, description="Attendance figures", item_id="",
         test_type="hoop", sensitivity="0.95", type_one_error="0.6", found="found", position="0",
         version="{tr_claim_version}", undo="{tr_undo}"),
    get("tracing.edit_test", TS + "/edit", Need.EDIT),
    post("tracing.edit_test", TS + "/edit", Need.EDIT, description="Practitioners quote the seminar",
         test_type="smoking_gun", sensitivity="", type_one_error="", found="found", version="{tr_claim_version}"),
    get("tracing.delete_test", TS + "/delete", Need.EDIT),
    post("tracing.delete_test", TS + "/delete", Need.EDIT, confirm="yes", version="{tr_claim_version}"),
    post("tracing.move_test", TS + "/move", Need.EDIT, direction="up", version="{tr_claim_version}"),
]


def furnish(project, step) -> None:
    """Tracing on, and a claim about the step with two tests (the second can move up), and one removed (to undo)."""
    project.contribution_tracing = True
    claim = Claim(project_id=project.id, statement="The seminars contributed", step_id=step.id, prior=0.5)
    claim.tests = [
        ClaimTest(description="Attendance figures", test_type=TestType.HOOP, sensitivity=0.95, type_one_error=0.6,
                  found=True, position=0),
        ClaimTest(description="Quotes naming the seminar", test_type=TestType.SMOKING_GUN, sensitivity=0.3,
                  type_one_error=0.02, found=True, position=1),
        ClaimTest(description="Attendance figures", test_type=TestType.HOOP, sensitivity=0.95, type_one_error=0.6,
                  found=True, position=2),
    ]
    _db.session.add(claim)
    _db.session.flush()
    delete_test(claim, claim.tests[-1])


def world(project) -> dict[str, object]:
    claim = _db.session.scalar(select(Claim).where(Claim.project_id == project.id).order_by(Claim.id))
    removed = _db.session.scalar(select(TrashRecord).where(TrashRecord.project_id == project.id,
                                                           TrashRecord.kind == REMOVED_TEST))
    return {"tr_claim": claim.id, "tr_claim_version": claim.version, "tr_test": claim.tests[-1].id,
            "tr_undo": undo_token(removed)}


def state(project) -> tuple:
    return (
        project.contribution_tracing,
        list(_db.session.execute(select(Claim.id, Claim.statement, Claim.prior, Claim.step_id, Claim.version)
                                 .where(Claim.project_id == project.id).order_by(Claim.id))),
        list(_db.session.execute(select(ClaimTest.id, ClaimTest.description, ClaimTest.test_type,
                                        ClaimTest.sensitivity, ClaimTest.type_one_error, ClaimTest.found,
                                        ClaimTest.position)
                                 .join(Claim).where(Claim.project_id == project.id).order_by(ClaimTest.id))),
    )
