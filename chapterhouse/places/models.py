"""The offline gazetteer: countries, their ISO 3166-2 regions, and cities."""

import re
import unicodedata

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Letters that Unicode does not decompose into a base letter plus accents.
_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)
_NOT_WORD = re.compile(r"[\W_]+")


def ascii_fold(text: str) -> str:
    """The search form of a name: lowercase, without accents, punctuation as spaces.

    "São Paulo" → "sao paulo", "Saint-Étienne" → "saint etienne", "Łódź" → "lodz".
    Letters of other scripts are kept (lowercased). `Place.ascii_name` holds this
    form of `Place.name`, and every query is folded the same way before matching.
    """
    if text.isascii():  # the common case, and the same result much faster
        return _NOT_WORD.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_LETTERS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", text).strip()


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("country")
    REGION = "region", _("region")
    CITY = "city", _("city")


class Place(models.Model):
    """One gazetteer entry.

    `code` is the ISO 3166-1 alpha-2 code for a country ("GB"), the ISO 3166-2
    code for a region ("GB-ENG"), and a stable source id for a city (its GeoNames
    id). `names` maps language codes to the place's name in that language, where
    known. `ascii_name` is `ascii_fold(name)`, what searches compare against.
    """

    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    ascii_name = models.CharField(max_length=200, db_index=True)
    # Other names a city is known by ("munchen|monaco di baviera" for Munich),
    # folded like ascii_name and each between bars, for search only.
    alt_names = models.TextField(blank=True, default="")
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
