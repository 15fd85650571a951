"""Core models: the organisation tree and its people, and the shared concepts every module stands on
(places, vocabularies, commitments, participants, timelines, the audit log, attachments)."""

from yingji.core.models.attachments import Attachment
from yingji.core.models.chains import AuditEntry, ChainHead, TimelineEntry
from yingji.core.models.org import (
    ApiToken,
    OrgUnit,
    OrgUnitKind,
    OwnedModel,
    RestrictedQuerySet,
    RoleAssignment,
    User,
    YingjiUserManager,
)
from yingji.core.models.place import Place
from yingji.core.models.vocab import (
    Capability,
    CapabilityTagged,
    CodeStatus,
    HazardCategory,
    HazardTagged,
    HazardType,
)
from yingji.core.models.work import (
    ACTIVE_STATES,
    Availability,
    Commitment,
    CommitmentState,
    Dispatchable,
    Exercise,
    Participant,
    ParticipantRole,
)

__all__ = [
    "Attachment", "AuditEntry", "ChainHead", "TimelineEntry", "ApiToken", "OrgUnit", "OrgUnitKind", "OwnedModel",
    "RestrictedQuerySet", "RoleAssignment", "User", "YingjiUserManager", "Place", "Capability", "CapabilityTagged", "CodeStatus",
    "HazardCategory", "HazardTagged", "HazardType", "ACTIVE_STATES", "Availability", "Commitment",
    "CommitmentState", "Dispatchable", "Exercise", "Participant", "ParticipantRole",
]
