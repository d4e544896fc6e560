"""Signup, profile, avatar, location and account forms.

The location fields (country, region, city, neighbourhood) work without
JavaScript: the region list follows the submitted country, and the city is
resolved by name within the chosen region. With JavaScript, htmx reloads the
regions when the country changes and the city field is the one autocomplete
(lib.autocomplete); a chosen suggestion also fills the hidden `city_code`, which
picks exactly that city when two share a name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.autocomplete import autocomplete_attrs
from chapterhouse.lib.collation import sorted_by_name
from chapterhouse.lib.images import ImageRejected, make_avatar
from chapterhouse.lib.languages import language_choices
from chapterhouse.places import selectors as places
from chapterhouse.places.models import Place, PlaceKind, ascii_fold

from .models import Member, Visibility

NEIGHBOURHOOD_MAX_LENGTH = 80
DISPLAY_NAME_MAX_LENGTH = 80
MAX_LANGUAGES = 20

# Something that looks like a link: a scheme ("https://", "javascript:") or "www.".
_LINK = re.compile(
    r"[a-z][a-z0-9+.\-]*://|\b(?:javascript|data|vbscript|file|mailto)\s*:|\bwww\.",
    re.IGNORECASE,
)


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"} for char in value)


def _sorted_by_name(places_: Any) -> list[Place]:
    return sorted_by_name(places_, Place.display_name)


def _same_name(place: Place, typed: str) -> bool:
    wanted = ascii_fold(typed)
    return wanted in {ascii_fold(place.name), ascii_fold(place.local_name()), place.ascii_name}


# The no-JavaScript button that submits a location form only to list a country's regions.
SHOW_REGIONS = "show_regions"


class _NotRequiredInBrowser(forms.TextInput):
    """A required text field the browser does not block the form on: without
    JavaScript the form is submitted once to list the regions before the city is
    typed (the server still requires it, with a clear message)."""

    def use_required_attribute(self, initial: Any) -> bool:
        return False


class LocationForm(forms.Form):
    """Country › region › city, and an optional neighbourhood inside the city."""

    country = forms.CharField(
        label=_("Country"),
        widget=forms.Select,
        error_messages={"required": _("Choose your country from the list.")},
    )
    region = forms.CharField(label=_("Region"), required=False, widget=forms.Select)
    city = forms.CharField(
        label=_("City or town"),
        max_length=200,
        error_messages={"required": _("Type the name of your city or town.")},
        help_text=_("Start typing and choose from the suggestions, or type its full name."),
        widget=_NotRequiredInBrowser(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    city_code = forms.CharField(required=False, widget=forms.HiddenInput)
    neighbourhood = forms.CharField(
        label=_("Neighbourhood (optional)"),
        required=False,
        strip=False,
        help_text=_("If you like, the part of your city where you live. Members who give "
                    "the same name in the same city form a neighbourhood chapter."),
        widget=forms.TextInput(attrs={"maxlength": NEIGHBOURHOOD_MAX_LENGTH}),
    )

    location_errors = {
        "country": _("Choose your country from the list."),
        "region": _("Choose a region of %(country)s from the list."),
        "city": _("We could not find a city called “%(name)s” in %(area)s. Check the "
                  "spelling, or choose one of the suggestions."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country_place: Place | None = None
        self.region_place: Place | None = None
        self.city_place: Place | None = None
        self.regions: list[Place] = []

        countries = _sorted_by_name(places.countries())
        self.fields["country"].widget.choices = [("", _("Choose your country"))] + [
            (country.code, country.local_name()) for country in countries
        ]
        self.fields["country"].widget.attrs.update({
            "hx-get": reverse("places:regions"),
            "hx-target": "#" + self._id_for("region"),
            "hx-swap": "innerHTML",
            "hx-trigger": "change",
            "data-location-country": "",
        })
        self.fields["region"].widget.attrs.update({"data-location-region": ""})
        suggestions = self._id_for("city") + "-suggestions"
        self.fields["city"].widget.attrs.update({
            **autocomplete_attrs(
                reverse("places:cities"),
                target=f"#{suggestions}",
                include=f"#{self._id_for('region')}, #{self._id_for('country')}",
                code=f"#{self._id_for('city_code')}",
            ),
            "aria-controls": suggestions,
            "data-location-city": "",
        })
        self.fields["city_code"].widget.attrs.update({"data-location-city-code": ""})

        # The regions offered are those of the country being chosen: the submitted
        # one when the form is bound (so a page re-rendered without JavaScript
        # lists the right regions), else the initial one.
        country_code = (
            self.data.get(self.add_prefix("country")) if self.is_bound
            else self.get_initial_for_field(self.fields["country"], "country")
        )
        country = next((c for c in countries if c.code == country_code), None)
        if country is not None:
            self.country_place = country
            self.regions = _sorted_by_name(places.regions_of(country))
            placeholder = _("Choose your region") if self.regions else _("(no regions)")
        else:
            placeholder = _("Choose your country first")
        self.fields["region"].widget.choices = [("", placeholder)] + [
            (region.code, region.local_name()) for region in self.regions
        ]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.data.get(self.add_prefix(SHOW_REGIONS)):
            # Only the regions were asked for (no JavaScript): nothing is saved, and
            # instead of errors the form says what comes next.
            self._errors = ErrorDict({NON_FIELD_ERRORS: self.error_class(
                [str(_("Now choose your region and your city or town."))])})

    def _id_for(self, name: str) -> str:
        return self[name].auto_id or f"id_{name}"

    def clean_neighbourhood(self) -> str:
        value: str = self.cleaned_data.get("neighbourhood") or ""
        if value == "":
            return ""
        if not value.strip():
            raise forms.ValidationError(
                _("A neighbourhood name cannot be only spaces. Leave it empty if you prefer."),
                code="blank",
            )
        value = " ".join(value.split())
        if len(value) > NEIGHBOURHOOD_MAX_LENGTH:
            raise forms.ValidationError(
                _("Please keep the neighbourhood name to %(max)s characters (it has %(length)s).")
                % {"max": NEIGHBOURHOOD_MAX_LENGTH, "length": len(value)},
                code="max_length",
            )
        if "<" in value or ">" in value or _LINK.search(value) or _has_control_characters(value):
            raise forms.ValidationError(
                _("A neighbourhood name cannot contain markup, web addresses or special "
                  "characters. Just write its name."),
                code="markup",
            )
        if not any(char.isalnum() for char in value):
            raise forms.ValidationError(
                _("A neighbourhood name needs letters or numbers."), code="no_letters"
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        self._clean_location(cleaned)
        return cleaned

    def _clean_location(self, cleaned: dict[str, Any]) -> None:
        if "country" in self.errors:
            return
        country = self.country_place
        if country is None or country.code != cleaned.get("country"):
            self.add_error("country", self.location_errors["country"])
            return
        area: Place = country
        if self.regions:
            region_code = cleaned.get("region") or ""
            region = next((r for r in self.regions if r.code == region_code), None)
            if region is None:
                # A city chosen from the whole country's suggestions names its region.
                region = self._region_of_chosen_city(cleaned.get("city_code") or "")
            if region is None:
                self.add_error(
                    "region", self.location_errors["region"] % {"country": country.local_name()}
                )
                return
            self.region_place = area = region
        elif cleaned.get("region"):
            self.add_error("region", self.location_errors["region"] % {
                "country": country.local_name()})
            return
        name = " ".join((cleaned.get("city") or "").split())
        if "city" in self.errors or not name:
            return
        city = self._city_from_code(cleaned.get("city_code") or "", area, name)
        if city is None:
            city = places.resolve_city(region=area, name=name)
        if city is None:
            self.add_error("city", self.location_errors["city"] % {
                "name": name, "area": area.local_name()})
            return
        self.city_place = city
        cleaned["city_place"] = city

    def _region_of_chosen_city(self, code: str) -> Place | None:
        """The region of the suggested city whose code the form carries, if it is one of
        the country's regions; the form then shows that region chosen."""
        city = places.place_by_code(PlaceKind.CITY, code) if code else None
        region = next((r for r in self.regions if city is not None and r.pk == city.parent_id),
                      None)
        if region is not None:
            data = dict(self.data.items()) if not hasattr(self.data, "copy") else \
                self.data.copy()  # a QueryDict, immutable as submitted
            data[self.add_prefix("region")] = region.code
            self.data = data
            self.cleaned_data["region"] = region.code
        return region

    @staticmethod
    def _city_from_code(code: str, area: Place, name: str) -> Place | None:
        """The suggested city the member clicked, if it is still what the input says."""
        if not code:
            return None
        city = places.place_by_code(PlaceKind.CITY, code)
        if city is None or city.parent_id != area.pk or not _same_name(city, name):
            return None
        return city

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        return {
            "country": member.country.code if member.country else "",
            "region": member.region.code if member.region else "",
            "city": member.city.local_name() if member.city else "",
            "city_code": member.city.code if member.city else "",
            "neighbourhood": member.neighbourhood,
        }


def _clean_display_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise forms.ValidationError(_("Please tell us your name."), code="required")
    if _has_control_characters(value):
        raise forms.ValidationError(_("Your name contains characters we cannot show."),
                                    code="invalid")
    return value


class SignupForm(LocationForm):
    """Extra signup fields; allauth builds its signup form on top of this class."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("As other members will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2",
                   "country", "region", "city", "city_code", "neighbourhood"]

    def clean_display_name(self) -> str:
        return _clean_display_name(self.cleaned_data.get("display_name") or "")

    def other_visible_fields(self) -> list[forms.BoundField]:
        """Visible fields the signup template does not place itself (e.g. added by allauth)."""
        return [field for field in self.visible_fields() if field.name not in self.field_order]

    def signup(self, request: Any, user: Any) -> None:
        """Called by allauth once the user row exists: make them a member."""
        from .services import register_member

        language = (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE)
        register_member(
            user=user,
            display_name=self.cleaned_data["display_name"],
            city=self.cleaned_data["city_place"],
            neighbourhood=self.cleaned_data.get("neighbourhood") or "",
            languages=[language.split("-")[0].lower()],
        )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    bio = forms.CharField(
        label=_("About me"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "language-choices"}),
    )
    profile_visibility = forms.ChoiceField(
        label=_("Who can see my profile"), choices=Visibility.choices
    )
    listed_in_directory = forms.BooleanField(
        label=_("List me in my chapters' member lists"), required=False
    )
    show_bio = forms.BooleanField(label=_("Show my bio"), required=False)
    show_languages = forms.BooleanField(label=_("Show the languages I speak"), required=False)
    show_presence = forms.BooleanField(
        label=_("Show when I am online and when I was last seen"), required=False
    )
    show_location = forms.BooleanField(
        label=_("Show my city and neighbourhood"), required=False,
        help_text=_("Your country and region are always shown: they are chapters you belong to."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = self.fields["languages"]
        assert isinstance(languages, forms.MultipleChoiceField)
        languages.choices = language_choices()

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        return {name: getattr(member, name) for name in cls.base_fields}

    def clean_display_name(self) -> str:
        return _clean_display_name(self.cleaned_data.get("display_name") or "")

    def clean_languages(self) -> list[str]:
        languages: list[str] = self.cleaned_data.get("languages") or []
        if len(languages) > MAX_LANGUAGES:
            raise forms.ValidationError(
                _("Please choose at most %(max)s languages.") % {"max": MAX_LANGUAGES}
            )
        return list(dict.fromkeys(languages))


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label=_("Picture"),
        help_text=_("A JPEG, PNG, GIF or WebP image. It will be cropped to a square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )

    def clean_avatar(self) -> bytes:
        upload = self.cleaned_data["avatar"]
        max_bytes = settings.AVATAR_MAX_BYTES
        if upload.size is not None and upload.size > max_bytes:
            raise forms.ValidationError(
                _("This file is too big. Please choose an image of at most %(size)s MB.")
                % {"size": f"{max_bytes / (1024 * 1024):.1f}".removesuffix(".0")},
                code="too_big",
            )
        try:
            upload.seek(0)
            return make_avatar(upload, max_bytes=max_bytes)
        except ImageRejected as error:
            raise forms.ValidationError(str(error), code="not_an_image") from None


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remove_posts = forms.BooleanField(
        label=_("Also remove the text of my forum posts and comments"),
        help_text=_("Each post keeps its place in its thread and reads “removed by its "
                    "author”. Posts in the deliberation of proposals stay."),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password
