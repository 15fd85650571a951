from django.db import migrations

CODES = [("A", "解决采纳", True), ("B", "逐步解决", False), ("C", "留作参考", False), ("D", "因条件限制暂不能解决", False)]


def add_codes(apps, schema_editor):
    ResultCode = apps.get_model("supervision", "ResultCode")
    for code, name, resolved in CODES:
        ResultCode.objects.get_or_create(code=code, defaults={"name": name, "counts_as_resolved": resolved})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_tasks")]
    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
