"""Every model, imported in one place so Alembic and create_all see the whole schema."""
from impact.auth.models import User  # noqa: F401
from impact.mail.models import OutboxMessage  # noqa: F401
from impact.projects.models import Membership, PartnerOrganisation, Project  # noqa: F401
from impact.toc.models import Assumption, InfluencingFactor, Level, Link, Step, TocRevision  # noqa: F401
