# Contact.updated_at for API v1's `updated_after` filter. Existing contacts start with their
# creation time (the best known "last change"), not the time of this migration.

import django.utils.timezone
from django.db import migrations, models


def updated_at_from_created_at(apps, schema_editor):
    Contact = apps.get_model("crm", "Contact")
    Contact.objects.update(updated_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0001_initial"),
        ("workspaces", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="updated"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(updated_at_from_created_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["workspace", "updated_at"], name="contact_ws_updated"),
        ),
    ]
