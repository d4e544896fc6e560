"""The offline gazetteer: countries, their ISO 3166-2 regions, and cities."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.collation import fold


def ascii_fold(text: str) -> str:
    """The search form of a name: lowercase, without accents, punctuation as spaces.

    "São Paulo" → "sao paulo", "Saint-Étienne" → "saint etienne", "Łódź" → "lodz".
    Letters of other scripts are kept (lowercased): "Москва" → "москва".
    `Place.ascii_name` holds this form of `Place.name`, and every query is folded
    the same way before matching.
    """
    return fold(text)


def sort_names_of(names: dict[str, str]) -> dict[str, str]:
    """{language: folded name}: the SQL sort keys of a place's or chapter's names
    in other languages (`lib.collation.localized_order`)."""
    return {language: fold(name) for language, name in names.items()}


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("country")
    REGION = "region", _("region")
    CITY = "city", _("city")


class Place(models.Model):
    """One gazetteer entry.

    `code` is the ISO 3166-1 alpha-2 code for a country ("GB"), the ISO 3166-2
    code for a region ("GB-ENG"), and a stable source id for a city (its GeoNames
    id). `names` maps language codes to the place's name in that language, where
    known (shown by `display_name()`); `sort_names` holds them folded, the keys
    lists are ordered by in SQL (`lib.collation.localized_order`, falling back to
    `ascii_name`). `ascii_name` is `ascii_fold(name)`, what searches compare
    against; `alt_names` holds every other name, the translated ones included.
    """

    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    ascii_name = models.CharField(max_length=200, db_index=True)
    # Other names a place is known by ("|munchen|monaco di baviera|мюнхен|" for
    # Munich), its names in other languages included, folded like ascii_name and
    # each between bars, for search only.
    alt_names = models.TextField(blank=True, default="")
    names = models.JSONField(default=dict, blank=True)
    sort_names = models.JSONField(default=dict, blank=True, db_default={})
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
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        """The name in `language` (default: the active one), else the English name."""
        language = (language or translation.get_language() or "en").split("-")[0]
        return self.names.get(language) or self.name

    # The name other apps' code has used since before display_name().
    local_name = display_name
