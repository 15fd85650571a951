"""The kernel's own periodic jobs (imported by CoreConfig.ready): sealing the audit chains."""

from __future__ import annotations

from yingji.core import jobs


@jobs.periodic(jobs.crontab(minute="*/15"), name="core.audit_seal",
               description="Write a signed checkpoint of every audit and timeline chain head (var/audit/).")
def seal_audit() -> str:
    from yingji.core import audit

    return str(audit.seal())
