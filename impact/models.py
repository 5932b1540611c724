"""Every model, imported in one place so Alembic and create_all see the whole schema."""
from impact.assessment.models import Assessment, AssumptionStatus, EvidenceStandard  # noqa: F401
from impact.auth.models import LoginSession, User  # noqa: F401
from impact.cards.models import Action, ActionCard, CardConfirmation, OptOut  # noqa: F401
from impact.coding.models import FactorTheme, ResponseCode  # noqa: F401
from impact.events.models import Event, EventAttendance  # noqa: F401
from impact.evidence.models import EvidenceItem, EvidenceLink  # noqa: F401
from impact.followups.models import ActionProgress, Campaign, FollowUp, Pseudonym, Response  # noqa: F401
from impact.jobs.models import JobRun  # noqa: F401
from impact.mail.models import OutboxMessage  # noqa: F401
from impact.projects.models import Membership, PartnerOrganisation, Project  # noqa: F401
from impact.story.models import Story, StorySnapshot  # noqa: F401
from impact.toc.models import Assumption, InfluencingFactor, Level, Link, Step, TocRevision  # noqa: F401
from impact.tracing.models import Claim, ClaimTest  # noqa: F401
