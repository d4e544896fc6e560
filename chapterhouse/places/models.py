"""The offline gazetteer: countries, their ISO 3166-2 regions, and cities."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("country")
    REGION = "region", _("region")
    CITY = "city", _("city")


class Place(models.Model):
    """One gazetteer entry.

    `code` is the ISO 3166-1 alpha-2 code for a country ("GB"), the ISO 3166-2
    code for a region ("GB-ENG"), and a stable source id for a city. `names`
    maps language codes to the place's name in that language, where known.
    """

    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    ascii_name = models.CharField(max_length=200, db_index=True)
    names = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    country_code = models.CharField(max_length=2, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveBigIntegerField(default=0)
    timezone = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="place_unique_kind_code"),
        ]
        indexes = [models.Index(fields=["parent", "kind", "ascii_name"], name="place_parent_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.local_name()

    def local_name(self, language: str | None = None) -> str:
        """The name in `language` (default: the active one), else the English name."""
        language = (language or translation.get_language() or "en").split("-")[0]
        return self.names.get(language) or self.name
