"""The default disaster-chain graph (yingji.alerts.chains.DEFAULT_LINKS); edges an administrator edited stay."""

from django.db import migrations


def seed(apps, schema_editor):
    from yingji.alerts.chains import DEFAULT_LINKS

    HazardType = apps.get_model("core", "HazardType")
    ChainLink = apps.get_model("alerts", "ChainLink")
    known = set(HazardType.objects.values_list("code", flat=True))
    for cause, effect, reason, step in DEFAULT_LINKS:
        if cause in known and effect in known:
            ChainLink.objects.get_or_create(cause=cause, effect=effect,
                                            defaults={"reason": reason, "level_step": step})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("core", "0005_place_road_snap")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
