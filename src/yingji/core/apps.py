from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = _("平台核心")

    def ready(self):
        from yingji.core import lookups

        lookups.register()  # `in` with an id no integer column holds matches nothing, on every database

        # Every app's jobs.py joins the job registry in every process (web, worker, demo), so a job queued
        # by name here is known to the consumer there.
        from yingji.core import jobs, kernel_jobs  # noqa: F401 — the kernel's own jobs join the registry

        jobs.autodiscover()

        from django.db.models.signals import post_migrate

        from yingji.core.modules import seed_reference_data

        post_migrate.connect(seed_reference_data, sender=self, dispatch_uid="yingji.seed_reference_data")
