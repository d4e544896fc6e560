"""Signup with a location, email verification, and the first login."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member, User
from chapterhouse.members.tests.factories import PASSWORD
from chapterhouse.places.models import Place, PlaceKind

SIGNUP = "/accounts/signup/"


def _nothing_stored(users_before: int = 0, chapters_before: int = 0) -> None:
    assert User.objects.count() == users_before
    assert Member.objects.count() == 0
    assert Chapter.objects.count() == chapters_before
    assert mail.outbox == []


def _link_in(message) -> str:
    found = re.search(r"https?://testserver(/accounts/\S+)", message.body)
    assert found is not None
    return found.group(1)


def _without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


class TestTheSignupPage:
    def test_it_uses_our_layout_and_lists_countries(self, client, gazetteer):
        response = client.get(SIGNUP)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="site-header"' in html
        assert '<option value="GB">United Kingdom</option>' in html
        assert 'name="display_name"' in html and 'name="neighbourhood"' in html
        assert 'hx-get="/places/regions/"' in html
        assert "js/location.js" in html

    def test_it_shows_place_names_in_the_visitors_language(self, client, gazetteer):
        client.cookies["django_language"] = "es"
        html = client.get(SIGNUP).content.decode()
        assert '<option value="GB">Reino Unido</option>' in html

    def test_the_region_list_follows_the_initial_country_once_chosen(self, client, gazetteer):
        # Without JavaScript the page shows no regions until a country is submitted.
        html = client.get(SIGNUP).content.decode()
        assert "GB-ENG" not in html
        assert "Choose your country first" in html


class TestSigningUp:
    def test_a_newcomer_belongs_to_every_level_at_once(self, client, signup_data):
        response = client.post(SIGNUP, signup_data)

        assert response.status_code == 302
        assert response["Location"] == reverse("account_email_verification_sent")
        member = Member.objects.select_related("home_chapter", "city").get()
        assert member.display_name == "Nia Newcomer"
        assert member.user.email == "nia@example.org"
        assert member.city and member.city.name == "London"
        assert member.region and member.region.code == "GB-ENG"
        assert member.country and member.country.code == "GB"
        assert member.neighbourhood == "Hackney"
        assert member.home_chapter.url_path == "gb/eng/london/hackney"
        assert member.languages == ["en"]
        counts = dict(Chapter.objects.values_list("url_path", "member_count"))
        assert counts == {"": 1, "gb": 1, "gb/eng": 1, "gb/eng/london": 1,
                          "gb/eng/london/hackney": 1}

    def test_a_failure_while_making_the_member_leaves_no_account(
        self, client, signup_data, monkeypatch
    ):
        from chapterhouse.members import services

        def fail(**kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(services, "register_member", fail)
        client.raise_request_exception = False
        response = client.post(SIGNUP, signup_data)

        assert response.status_code == 500
        _nothing_stored()

    def test_the_neighbourhood_is_optional(self, client, signup_data):
        signup_data["neighbourhood"] = ""
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().home_chapter.url_path == "gb/eng/london"

    def test_the_city_name_is_matched_ignoring_case_and_spaces(self, client, signup_data,
                                                               gazetteer):
        signup_data["city"] = "  lONdon "
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().city == gazetteer["london"]

    def test_a_suggestion_clicked_in_the_visitors_language_is_accepted(
        self, client, signup_data, gazetteer
    ):
        client.cookies["django_language"] = "es"
        signup_data.update(city="Londres", city_code=gazetteer["london"].code)
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().city == gazetteer["london"]

    def test_the_first_language_is_the_interface_language(self, client, signup_data):
        client.cookies["django_language"] = "es"
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().languages == ["es"]

    def test_a_clicked_suggestion_picks_that_city_among_namesakes(self, client, signup_data,
                                                                  gazetteer):
        other = Place.objects.create(
            kind=PlaceKind.CITY, code="999", name="London", ascii_name="london",
            parent=gazetteer["england"], country_code="GB", population=10,
        )
        signup_data["city_code"] = other.code
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().city == other

    def test_a_stale_suggestion_code_gives_way_to_the_typed_name(self, client, signup_data,
                                                                 gazetteer):
        signup_data["city_code"] = gazetteer["edinburgh"].code  # another region's city
        client.post(SIGNUP, signup_data)
        assert Member.objects.get().city == gazetteer["london"]

    def test_a_country_without_regions_needs_no_region(self, client, signup_data):
        signup_data.update(country="MC", region="", city="Monaco", neighbourhood="")
        response = client.post(SIGNUP, signup_data)
        assert response.status_code == 302
        assert Member.objects.get().home_chapter.url_path == "mc/monaco"

    def test_extra_fields_in_the_request_are_ignored(self, client, signup_data):
        signup_data.update(is_staff="on", is_superuser="on", languages="fr",
                           profile_visibility="public")
        client.post(SIGNUP, signup_data)
        member = Member.objects.select_related("user").get()
        assert not member.user.is_staff and not member.user.is_superuser
        assert member.languages == ["en"]
        assert member.profile_visibility == "members"


class TestBadSignupInput:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"country": "XX"}, "country", "Choose your country from the list."),
            ({"country": ""}, "country", "Choose your country from the list."),
            ({"region": "FR-ARA"}, "region", "Choose a region of United Kingdom from the list."),
            ({"region": "GB-XXX"}, "region", "Choose a region of United Kingdom from the list."),
            ({"city": "Atlantis"}, "city",
             "We could not find a city called “Atlantis” in England."),
            ({"city": "Lyon"}, "city", "We could not find a city called “Lyon” in England."),
            ({"city": "Edinburgh"}, "city",
             "We could not find a city called “Edinburgh” in England."),
            ({"city": ""}, "city", "Type the name of your city or town."),
            ({"neighbourhood": "   "}, "neighbourhood", "cannot be only spaces"),
            ({"neighbourhood": "x" * 81}, "neighbourhood", "to 80 characters (it has 81)"),
            ({"neighbourhood": "<b>Soho</b>"}, "neighbourhood", "cannot contain markup"),
            ({"neighbourhood": "Soho <script>alert(1)</script>"}, "neighbourhood",
             "cannot contain markup"),
            ({"neighbourhood": "https://spam.example"}, "neighbourhood", "cannot contain markup"),
            ({"neighbourhood": "javascript:alert(1)"}, "neighbourhood", "cannot contain markup"),
            ({"neighbourhood": "visit www.spam.example"}, "neighbourhood",
             "cannot contain markup"),
            ({"neighbourhood": "Soho\x07"}, "neighbourhood", "cannot contain markup"),
            ({"neighbourhood": "Soho\x00"}, "neighbourhood", "Null characters are not allowed."),
            ({"neighbourhood": "!!!"}, "neighbourhood", "needs letters or numbers"),
            ({"display_name": "   "}, "display_name", "This field is required."),
            ({"display_name": "x" * 81}, "display_name", "at most 80 characters"),
        ],
    )
    def test_it_refuses_bad_input_with_a_clear_error_and_stores_nothing(
        self, client, signup_data, changes, field, message
    ):
        chapters_before = Chapter.objects.count()
        signup_data.update(changes)
        response = client.post(SIGNUP, signup_data)

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert message in " ".join(errors[field])
        assert message[:20] in response.content.decode()
        _nothing_stored(chapters_before=chapters_before)

    def test_without_javascript_a_changed_country_lists_its_own_regions(
        self, client, signup_data
    ):
        # The country was changed to France but the region still says England.
        signup_data.update(country="FR", region="GB-ENG", city="Lyon")
        response = client.post(SIGNUP, signup_data)

        html = response.content.decode()
        assert response.status_code == 200
        assert '<option value="FR-ARA">Auvergne-Rhône-Alpes</option>' in html
        assert 'value="GB-ENG"' not in html
        assert "Choose a region of France from the list." in html
        # What the member typed is kept.
        assert 'value="Lyon"' in html
        _nothing_stored()

    def test_without_javascript_a_missing_region_is_asked_for(self, client, signup_data):
        signup_data.update(region="")
        response = client.post(SIGNUP, signup_data)
        html = response.content.decode()
        assert '<option value="GB-ENG">England</option>' in html
        assert '<option value="GB-SCT">Scotland</option>' in html
        assert "Choose a region of United Kingdom from the list." in html
        _nothing_stored()

    def test_then_resubmitting_with_the_region_signs_up(self, client, signup_data):
        signup_data.update(country="FR", region="", city="Lyon", neighbourhood="")
        assert client.post(SIGNUP, signup_data).status_code == 200
        signup_data["region"] = "FR-ARA"
        assert client.post(SIGNUP, signup_data).status_code == 302
        assert Member.objects.get().home_chapter.url_path == "fr/ara/lyon"

    def test_a_region_given_for_a_country_without_regions_is_refused(self, client, signup_data):
        signup_data.update(country="MC", region="GB-ENG", city="Monaco")
        response = client.post(SIGNUP, signup_data)
        assert "region" in response.context["form"].errors
        _nothing_stored()

    def test_a_bad_password_is_refused_and_nothing_stored(self, client, signup_data):
        signup_data.update(password1="123", password2="123")
        response = client.post(SIGNUP, signup_data)
        assert "password1" in response.context["form"].errors
        _nothing_stored()

    def test_a_neighbourhood_of_several_spaces_is_tidied(self, client, signup_data):
        signup_data["neighbourhood"] = "  Stoke    Newington "
        client.post(SIGNUP, signup_data)
        member = Member.objects.get()
        assert member.neighbourhood == "Stoke Newington"
        assert member.home_chapter.url_path == "gb/eng/london/stoke-newington"


class TestNoAccountEnumeration:
    def test_a_known_email_gets_the_same_response_as_a_new_one(self, client, signup_data, member):
        new = Client().post(SIGNUP, signup_data, follow=True)
        signup_data["email"] = member.user.email.upper()
        known = Client().post(SIGNUP, signup_data, follow=True)

        assert known.status_code == new.status_code == 200
        assert known.redirect_chain == new.redirect_chain
        # The same page, but for the address typed.
        known_html = _without_csrf_tokens(known.content.decode()).replace(member.user.email, "@")
        new_html = _without_csrf_tokens(new.content.decode()).replace("nia@example.org", "@")
        assert known_html == new_html
        # No second account or member for the known address...
        assert User.objects.filter(email__iexact=member.user.email).count() == 1
        assert Member.objects.count() == 2
        # ...but its owner is told by email that someone tried.
        assert [m for m in mail.outbox if m.to == [member.user.email]]

    def test_a_known_email_at_password_reset_gets_the_same_response(self, client, member):
        known = Client().post("/accounts/password/reset/", {"email": member.user.email})
        unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]


class TestVerificationAndLogin:
    def test_signup_then_verify_then_log_in_lands_on_the_home_chapter(self, signup_data):
        browser = Client()
        browser.post(SIGNUP, signup_data)

        # Not signed in until the address is verified.
        assert "_auth_user_id" not in browser.session
        login = browser.post("/accounts/login/", {"login": signup_data["email"],
                                                  "password": signup_data["password1"]})
        assert login["Location"] == reverse("account_email_verification_sent")
        assert "_auth_user_id" not in browser.session

        verification = [m for m in mail.outbox if "confirm-email" in m.body]
        assert len(verification) == 1
        assert verification[0].to == [signup_data["email"]]
        link = _link_in(verification[0])
        assert browser.get(link).status_code == 200
        browser.post(link)
        assert EmailAddress.objects.get(email=signup_data["email"]).verified

        browser.post("/accounts/logout/")
        response = browser.post("/accounts/login/", {"login": signup_data["email"],
                                                     "password": signup_data["password1"]})
        assert response.status_code == 302
        assert response["Location"] == "/c/gb/eng/london/hackney/"
        assert "_auth_user_id" in browser.session

    def test_the_welcome_notice_and_mail_are_sent(self, client, signup_data):
        client.post(SIGNUP, signup_data)
        member = Member.objects.get()
        assert member.notifications.filter(kind="welcome").exists()

    def test_login_honours_next(self, member):
        browser = Client()
        response = browser.post("/accounts/login/?next=/me/edit/",
                                {"login": member.user.email, "password": PASSWORD})
        assert response["Location"] == "/me/edit/"

    def test_a_user_without_a_member_profile_goes_to_the_default_page(self, db):
        User.objects.create_user("staff@example.org", PASSWORD)
        EmailAddress.objects.create(email="staff@example.org", verified=True, primary=True,
                                    user=User.objects.get())
        response = Client().post("/accounts/login/", {"login": "staff@example.org",
                                                      "password": PASSWORD})
        assert response["Location"] == "/"

    def test_logout_ends_the_session(self, member_client):
        response = member_client.post("/accounts/logout/")
        assert response.status_code == 302
        assert "_auth_user_id" not in member_client.session

    def test_logout_by_get_only_asks(self, member_client):
        response = member_client.get("/accounts/logout/")
        assert response.status_code == 200
        assert "_auth_user_id" in member_client.session


class TestPasswordReset:
    def test_a_member_can_reset_their_password(self, member):
        browser = Client()
        mail.outbox.clear()
        response = browser.post("/accounts/password/reset/", {"email": member.user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = _link_in(mail.outbox[0])

        response = browser.get(link, follow=True)
        assert response.status_code == 200
        form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
        new_password = "another quite long passphrase 77"
        response = browser.post(form_url, {"password1": new_password,
                                           "password2": new_password})
        assert response.status_code == 302
        member.user.refresh_from_db()
        assert member.user.check_password(new_password)

        # The link works once only.
        again = browser.get(link, follow=True)
        assert again.context["token_fail"]

    def test_the_reset_pages_use_our_layout(self, client, db):
        assert b'class="site-header"' in client.get("/accounts/password/reset/").content


class TestLoginThrottling:
    def test_repeated_failures_for_one_account_are_refused(self, member):
        browser = Client()
        for _ in range(5):
            response = browser.post("/accounts/login/", {"login": member.user.email,
                                                         "password": "wrong"})
            assert response.status_code == 200
        # Even the right password is refused now, with a clear message.
        response = browser.post("/accounts/login/", {"login": member.user.email,
                                                     "password": PASSWORD})
        assert response.status_code == 200
        assert "_auth_user_id" not in browser.session
        assert "Too many failed login attempts" in response.content.decode()

    def test_repeated_failures_from_one_address_are_refused(self, member):
        browser = Client(REMOTE_ADDR="203.0.113.9")
        for n in range(10):
            browser.post("/accounts/login/", {"login": f"guess{n}@example.org",
                                              "password": "wrong"})
        response = browser.post("/accounts/login/", {"login": member.user.email,
                                                     "password": PASSWORD})
        assert "_auth_user_id" not in browser.session
        assert "Too many failed login attempts" in response.content.decode()

    def test_another_address_is_not_affected(self, member):
        for n in range(10):
            Client(REMOTE_ADDR="203.0.113.9").post(
                "/accounts/login/", {"login": f"guess{n}@example.org", "password": "wrong"})
        browser = Client(REMOTE_ADDR="198.51.100.7")
        response = browser.post("/accounts/login/", {"login": member.user.email,
                                                     "password": PASSWORD})
        assert response.status_code == 302



def test_account_emails_carry_the_sites_name(client, signup_data, settings):
    settings.SITE_NAME = "Chapterhouse"
    client.post(SIGNUP, signup_data)
    verification = next(m for m in mail.outbox if "confirm-email" in m.body)
    assert "example.com" not in verification.body
    assert "Chapterhouse" in verification.body


class TestNothingToRetype:
    """#15 items 11 and 12: a suggestion fills every level above it, a refused form
    keeps what was right, and the no-JavaScript path works as it says."""

    def test_a_city_chosen_from_the_whole_country_fills_its_region(self, client, signup_data,
                                                                    gazetteer):
        signup_data.update(region="", city_code=gazetteer["london"].code)
        response = client.post(SIGNUP, signup_data)
        assert response.status_code == 302  # before: "Choose a region", passwords wiped
        assert Member.objects.get().region == gazetteer["england"]

    def test_the_whole_country_suggestions_carry_the_region(self, client, gazetteer):
        html = client.get("/places/cities/", {"country": "GB", "city": "Lon"}).content.decode()
        assert f'data-region-code="{gazetteer["england"].code}"' in html

    def test_a_refused_form_keeps_the_passwords(self, client, signup_data, gazetteer):
        signup_data.update(city="Atlantis")
        html = client.post(SIGNUP, signup_data).content.decode()
        assert "We could not find a city called" in html
        assert html.count(f'value="{signup_data["password1"]}"') == 2
        # ...but never passwords that were themselves refused.
        signup_data.update(city="London", password2="something else entirely 17")
        html = client.post(SIGNUP, signup_data).content.decode()
        assert signup_data["password1"] not in html and signup_data["password2"] not in html

    def test_without_javascript_show_its_regions_lists_them_and_stores_nothing(
            self, client, signup_data, gazetteer):
        html = client.get(SIGNUP).content.decode()
        assert "Show its regions" in html and "formnovalidate" in html
        # The browser does not block that submit: the city is not required in the page.
        assert re.search(r'<input[^>]*name="city"[^>]*required', html) is None
        data = {**signup_data, "region": "", "city": "", "show_regions": "1"}
        response = client.post(SIGNUP, data)
        html = response.content.decode()
        assert response.status_code == 200
        assert User.objects.count() == 0
        assert '<option value="GB-ENG">England</option>' in html
        assert "Now choose your region and your city or town." in html
        assert "Type the name of your city" not in html
        assert html.count(f'value="{signup_data["password1"]}"') == 2
        response = client.post(SIGNUP, signup_data)  # then Join
        assert response.status_code == 302 and Member.objects.count() == 1
