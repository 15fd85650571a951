"""Data of the kernel move, in its own migration: PostgreSQL refuses to build the previous migration's
deferred indexes on tables with rows updated in the same transaction."""

from django.db import migrations


def to_kernel(apps, schema_editor):
    """Capabilities move to the kernel; hazard names become taxonomy codes; 'deployed' is now derived from
    commitments, so a resource marked deployed by hand becomes ready (its own state) again."""
    Old = apps.get_model("resources", "Capability")
    New = apps.get_model("core", "Capability")
    have = set(New.objects.values_list("code", flat=True))
    New.objects.bulk_create([New(code=c.code, name=c.name, category=c.category, quantity_unit=c.quantity_unit,
                                 description=c.description, owner_unit_id=c.owner_unit_id)
                             for c in Old.objects.all() if c.code not in have])
    HazardType = apps.get_model("core", "HazardType")
    by_name = {h.name: h.code for h in HazardType.objects.all()}
    parents = {h.code: h.parent.code if h.parent_id else None for h in HazardType.objects.select_related("parent")}
    for model_name in ("Team", "Expert"):
        Model = apps.get_model("resources", model_name)
        for obj in Model.objects.exclude(hazard_types=[]):
            codes = sorted({by_name.get(n, n) for n in obj.hazard_types or []} & set(parents))
            index = set()
            for c in codes:
                while c and c not in index:
                    index.add(c)
                    c = parents.get(c)
            Model.objects.filter(pk=obj.pk).update(
                hazard_types=codes, hazard_index=("," + ",".join(sorted(index)) + ",") if index else "")
    apps.get_model("resources", "Team").objects.filter(readiness="deployed").update(readiness="ready")
    apps.get_model("resources", "Equipment").objects.filter(status="deployed").update(status="available")



class Migration(migrations.Migration):
    dependencies = [("resources", "0003_kernel_places_and_vocabulary")]
    operations = [
        migrations.RunPython(to_kernel, migrations.RunPython.noop),
        migrations.DeleteModel(name="Capability"),
    ]
