"""The record of a demo seed: which workspace the generator filled, at which scale and seed.

It makes `seed_demo` idempotent (a second run sees the record and stops) and keeps `--reset`
from ever wiping a workspace the generator did not create.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoSeed(models.Model):
    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="demo_seed"
    )
    scale = models.CharField(_("scale"), max_length=20)
    seed = models.BigIntegerField(_("seed"))
    end_date = models.DateField(_("last day of data"))
    counts = models.JSONField(_("rows produced"), default=dict)
    duration_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demo seed")

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.scale} (seed {self.seed})"
