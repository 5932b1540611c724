"""Meetings on the record: the impact meeting (who attended, consent to record, notes, the recording, its
quotes and themes) and governance meetings, with the partner groups that took part in each."""
from __future__ import annotations


def register(contributions) -> None:
    from impact.features import LargeUpload, NavEntry
    from impact.meetings import record_routes, services  # noqa: F401 (routes on the blueprint; signals)
    from impact.meetings.routes import bp
    from impact.projects.permissions import Need

    contributions.blueprints.append(bp)
    recording = LargeUpload("RECORDING_FILE_MAX_BYTES", services.may_send_recording)
    contributions.large_uploads.update({"meetings.new": recording, "meetings.edit": recording})
    contributions.add_to_page("reports.data", services.report_section)
    contributions.add_to_page("evidence.voices", lambda project: services.taking_part(project.id))
    contributions.add_to_page("toc.step", lambda project_id, step_id, factor_ids: services.themes_panel(
        project_id, step_id, factor_ids))
    contributions.project_nav.append(NavEntry("meetings", "Meetings", "meetings.index", 36, Need.READ,
                                                       group="collect"))
