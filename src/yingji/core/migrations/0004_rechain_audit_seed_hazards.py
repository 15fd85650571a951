"""Move the single global audit chain onto one keyed chain per object, and seed the hazard taxonomy.

Existing entries keep their content, time and actor; they are renumbered within their object's chain and
signed with the installation's audit key (see docs/decisions/0006-audit-chains.md)."""

import json
from importlib import resources

from django.db import migrations, models


def rechain(apps, schema_editor):
    from yingji.core import chains

    AuditEntry = apps.get_model("core", "AuditEntry")
    ChainHead = apps.get_model("core", "ChainHead")
    secret = chains.key()
    heads = {}
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        chain = f"a:{e.object_type}:{e.object_id}"
        seq, prev, unit = heads.get(chain, (0, chains.GENESIS, None))
        e.chain, e.seq, e.prev_hash = chain, seq + 1, prev
        e.hash = chains.digest(e, secret)
        AuditEntry.objects.filter(pk=e.pk).update(chain=e.chain, seq=e.seq, prev_hash=e.prev_hash, hash=e.hash)
        heads[chain] = (e.seq, e.hash, e.unit_id)
    ChainHead.objects.bulk_create([ChainHead(chain=c, last_seq=s, last_hash=h, unit_id=u)
                                   for c, (s, h, u) in heads.items()], batch_size=1000)


def unchain(apps, schema_editor):
    """Going back: one global sequence again (by time, then id), so the old unique `seq` holds. The old scheme's
    hashes are not recomputed: `yingji audit verify` of the older release reports the downgraded entries."""
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditEntry.objects.update(seq=models.F("id") + 10**12)  # out of the way of every number used below
    for n, pk in enumerate(AuditEntry.objects.order_by("at", "id").values_list("pk", flat=True).iterator(), 1):
        AuditEntry.objects.filter(pk=pk).update(seq=n, chain="")
    apps.get_model("core", "ChainHead").objects.filter(chain__startswith="a:").delete()


def seed_hazards(apps, schema_editor):
    HazardType = apps.get_model("core", "HazardType")
    nodes = json.loads(resources.files("yingji.core").joinpath("data/hazard_types.json").read_text("utf-8"))["nodes"]
    by_code = {h.code: h for h in HazardType.objects.all()}
    for i, n in enumerate(nodes):
        if n["code"] in by_code:
            continue
        parent = by_code.get(n["parent"]) if n["parent"] else None
        by_code[n["code"]] = HazardType.objects.create(
            code=n["code"], name=n["name"], name_en=n["name_en"], parent=parent, category=n["category"],
            depth=(parent.depth + 1) if parent else 0, standard_code=n["standard_code"],
            code_status=n["code_status"], is_local=False, sort=i)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_kernel")]
    operations = [migrations.RunPython(rechain, unchain),
                  migrations.RunPython(seed_hazards, migrations.RunPython.noop)]
