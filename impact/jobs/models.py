"""When each piece of background work last ran, and how it went: the job-health page reads it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from impact.extensions import db
from impact.model_types import UTCDateTime

# The row that records ``flask jobs run`` as a whole.
WHOLE_RUN = "flask jobs run"


class JobRun(db.Model):
    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_succeeded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Failures in a row since the last success: 0 means it is working.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def failing(self) -> bool:
        return self.failures > 0
