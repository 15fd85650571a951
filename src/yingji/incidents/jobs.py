"""Jobs of the incidents module: overdue information reports become supervision Tasks (every minute)."""

from yingji.core import jobs


@jobs.periodic(jobs.crontab(minute="*"), name="incidents.overdue_reports")
def overdue_reports():
    from yingji.incidents import reporting

    return reporting.flag_overdue()
