"""A member's own pages under /me/: profile, picture, location, export, deletion."""

import io
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member, User
from chapterhouse.members.tests.factories import PASSWORD, make_user
from chapterhouse.members.tests.test_images import image_bytes, png_bytes, png_header_only
from chapterhouse.notifications.models import Notification

MY_PAGES = ["/me/edit/", "/me/avatar/", "/me/location/", "/me/export/", "/me/delete/"]


def _snapshot(member: Member) -> dict:
    member = Member.objects.get(pk=member.pk)
    # last_seen is presence, which any request updates.
    return {field.name: getattr(member, field.attname) for field in Member._meta.fields
            if field.name != "last_seen"}


def _counts() -> dict[str, int]:
    return dict(Chapter.objects.values_list("url_path", "member_count"))


class TestAccess:
    @pytest.mark.parametrize("url", MY_PAGES)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_anonymous_visitors_are_sent_to_log_in(self, client, db, url, method):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"

    @pytest.mark.parametrize("url", MY_PAGES)
    def test_members_see_their_own_page(self, member_client, url):
        response = member_client.get(url)
        assert response.status_code == 200
        assert b'class="account-nav"' in response.content

    @pytest.mark.parametrize("url", MY_PAGES)
    def test_an_unverified_user_is_asked_to_verify(self, member, url):
        EmailAddress.objects.filter(user=member.user).update(verified=False)
        browser = Client()
        browser.force_login(member.user)
        response = browser.get(url)
        assert response.status_code == 200
        assert "account/verified_email_required.html" in [t.name for t in response.templates]

    @pytest.mark.parametrize("url", MY_PAGES)
    def test_a_user_without_a_member_profile_is_sent_home(self, db, url):
        browser = Client()
        browser.force_login(make_user())
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/"

    @pytest.mark.parametrize("url", MY_PAGES)
    def test_other_methods_are_refused(self, member_client, url):
        assert member_client.put(url).status_code == 405

    def test_an_outsider_edits_only_themself(self, member, outsider, outsider_client):
        before = _snapshot(member)
        outsider_client.post("/me/edit/", {"display_name": "Changed", "profile_visibility":
                                           "public"})
        assert _snapshot(member) == before
        outsider.refresh_from_db()
        assert outsider.display_name == "Changed"


class TestEditProfile:
    def _data(self, **changes: object) -> dict:
        data: dict[str, object] = {"display_name": "Ada Lovelace", "bio": "I *like* engines.",
                "languages": ["en", "fr"], "profile_visibility": "public",
                "show_bio": "on", "show_languages": "on", "show_presence": "on",
                "listed_in_directory": "on"}
        data.update(changes)
        return data

    def test_the_form_is_filled_with_the_profile(self, member, member_client):
        from chapterhouse.members.services import update_profile

        update_profile(member=member, languages=["en"])
        html = member_client.get("/me/edit/").content.decode()
        assert 'value="Ada Member"' in html
        assert 'type="checkbox" name="languages" value="sw"' in html
        assert 'name="languages" value="en"' in html
        assert re.search(r'name="languages" value="en"[^>]* checked', html)

    def test_a_member_edits_their_profile(self, member, member_client):
        response = member_client.post("/me/edit/", self._data())
        assert response.status_code == 302
        assert response["Location"] == member.get_absolute_url()
        member.refresh_from_db()
        assert member.display_name == "Ada Lovelace"
        assert member.bio == "I *like* engines."
        assert member.languages == ["en", "fr"]
        assert member.profile_visibility == "public"
        assert member.show_location is False
        assert member.show_bio is True

    def test_extra_fields_are_ignored(self, member, member_client):
        member_client.post("/me/edit/", self._data(
            home_chapter="1", user="2", is_staff="on", public_id="x", last_seen="2000-01-01"))
        member.refresh_from_db()
        assert not member.user.is_staff
        assert member.home_chapter.url_path == "gb/eng/london/hackney"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"display_name": ""}, "display_name"),
            ({"display_name": "   "}, "display_name"),
            ({"display_name": "x" * 81}, "display_name"),
            ({"display_name": "Ada\x07"}, "display_name"),
            ({"bio": "x" * 4001}, "bio"),
            ({"languages": ["en", "klingon"]}, "languages"),
            ({"profile_visibility": "everyone"}, "profile_visibility"),
            ({"profile_visibility": ""}, "profile_visibility"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(self, member, member_client, changes,
                                                     field):
        before = _snapshot(member)
        response = member_client.post("/me/edit/", self._data(**changes))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert b'class="errorlist' in response.content
        assert _snapshot(member) == before

    def test_too_many_languages_are_refused(self, member, member_client):
        from chapterhouse.lib.languages import spoken_language_codes

        before = _snapshot(member)
        response = member_client.post(
            "/me/edit/", self._data(languages=spoken_language_codes()[:21]))
        assert "at most 20 languages" in response.content.decode()
        assert _snapshot(member) == before


class TestAvatar:
    def _upload(self, client, data: bytes, name: str = "me.png",
                content_type: str = "image/png"):
        return client.post("/me/avatar/", {
            "avatar": SimpleUploadedFile(name, data, content_type=content_type)})

    def test_a_member_uploads_a_picture_which_is_re_encoded(self, member, member_client):
        response = self._upload(member_client, image_bytes("JPEG", 800, 600), "me.jpg",
                                "image/jpeg")
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.avatar.name.startswith(f"avatars/{member.public_id}/")
        assert member.avatar.name.endswith(".png")
        with member.avatar.open("rb") as stored:
            image = Image.open(io.BytesIO(stored.read()))
            assert (image.format, image.size) == ("PNG", (256, 256))

    def test_a_new_picture_replaces_the_old_file(self, member, member_client,
                                                 django_capture_on_commit_callbacks):
        self._upload(member_client, png_bytes())
        member.refresh_from_db()
        old = member.avatar.name
        storage = member.avatar.storage
        with django_capture_on_commit_callbacks(execute=True):
            self._upload(member_client, png_bytes(400, 400))
        member.refresh_from_db()
        assert member.avatar.name != old
        assert not storage.exists(old)

    def test_a_member_removes_their_picture(self, member, member_client,
                                           django_capture_on_commit_callbacks):
        self._upload(member_client, png_bytes())
        member.refresh_from_db()
        name, storage = member.avatar.name, member.avatar.storage
        with django_capture_on_commit_callbacks(execute=True):
            response = member_client.post("/me/avatar/", {"remove": "1"})
        assert response.status_code == 302
        member.refresh_from_db()
        assert not member.avatar
        assert not storage.exists(name)

    @pytest.mark.parametrize(
        ("data", "name", "content_type", "message"),
        [
            (b"not an image at all", "me.png", "image/png", "not an image we can read"),
            (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "me.svg",
             "image/svg+xml", "SVG images are not accepted"),
            (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "me.png", "image/png",
             "SVG images are not accepted"),
            (image_bytes("BMP", 50, 50), "me.bmp", "image/bmp", "Only JPEG, PNG, GIF and WebP"),
            (png_header_only(5000, 5000), "big.png", "image/png", "too large"),
            (png_header_only(80000, 80000), "bomb.png", "image/png", "too large"),
            (b"", "empty.png", "image/png", "The submitted file is empty."),
        ],
    )
    def test_it_refuses_what_is_not_an_acceptable_image(self, member, member_client, data, name,
                                                        content_type, message):
        response = self._upload(member_client, data, name, content_type)
        assert response.status_code == 200
        assert message in response.content.decode()
        member.refresh_from_db()
        assert not member.avatar

    def test_it_refuses_a_file_over_the_size_limit(self, member, member_client, settings):
        settings.AVATAR_MAX_BYTES = 1000
        response = self._upload(member_client, image_bytes("PNG", 600, 600))
        assert "too big" in response.content.decode()
        member.refresh_from_db()
        assert not member.avatar

    def test_no_file_at_all_is_an_error(self, member, member_client):
        response = member_client.post("/me/avatar/", {})
        assert response.status_code == 200
        assert "avatar" in response.context["form"].errors


class TestLocation:
    def test_the_form_starts_from_where_the_member_lives(self, member, member_client):
        html = member_client.get("/me/location/").content.decode()
        assert '<option value="GB" selected>' in html
        assert '<option value="GB-ENG" selected>' in html
        assert 'value="London"' in html
        assert 'value="Hackney"' in html

    def test_a_member_moves_to_another_country(self, member, member_client, gazetteer):
        response = member_client.post("/me/location/", {
            "country": "FR", "region": "FR-ARA", "city": "lyon", "neighbourhood": "Croix-Rousse"})
        assert response.status_code == 302
        assert response["Location"] == "/c/fr/ara/lyon/croix-rousse/"
        member.refresh_from_db()
        assert member.home_chapter.url_path == "fr/ara/lyon/croix-rousse"
        assert (member.country.code, member.region.code, member.city.name) == \
            ("FR", "FR-ARA", "Lyon")
        counts = _counts()
        assert counts["gb/eng/london/hackney"] == 0
        assert counts["fr/ara/lyon/croix-rousse"] == 1
        assert counts[""] == 1
        followed = member_client.get("/me/location/")
        assert followed.status_code == 200

    def test_the_success_message_names_the_new_home(self, member, member_client, gazetteer):
        response = member_client.post("/me/location/", {
            "country": "GB", "region": "GB-ENG", "city": "Manchester"}, follow=True)
        assert "You now belong to Manchester" in response.content.decode()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"country": "ZZ"}, "country"),
            ({"region": "FR-ARA"}, "region"),
            ({"region": ""}, "region"),
            ({"city": "Nowhere"}, "city"),
            ({"city": "Lyon"}, "city"),
            ({"neighbourhood": " \t "}, "neighbourhood"),
            ({"neighbourhood": "y" * 81}, "neighbourhood"),
            ({"neighbourhood": "<img src=x onerror=alert(1)>"}, "neighbourhood"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_moves(self, member, member_client, gazetteer,
                                                   changes, field):
        before, counts = _snapshot(member), _counts()
        data = {"country": "GB", "region": "GB-ENG", "city": "Manchester", "neighbourhood": ""}
        data.update(changes)
        response = member_client.post("/me/location/", data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert _snapshot(member) == before
        assert _counts() == counts


class TestExport:
    def test_get_shows_a_button(self, member_client):
        response = member_client.get("/me/export/")
        assert b'<button type="submit">' in response.content
        assert response["Content-Type"].startswith("text/html")

    def test_post_downloads_the_members_data(self, member, member_client):
        response = member_client.post("/me/export/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="chapterhouse-')
        assert response["Cache-Control"] == "no-store"
        data = json.loads(response.content)
        assert data["account"]["email"] == member.user.email
        assert data["account"]["email_addresses"] == [
            {"email": member.user.email, "verified": True, "primary": True}]
        assert data["profile"]["display_name"] == "Ada Member"
        assert data["profile"]["public_id"] == str(member.public_id)
        assert [c["url"] for c in data["chapters"]] == [
            "/c/", "/c/gb/", "/c/gb/eng/", "/c/gb/eng/london/", "/c/gb/eng/london/hackney/"]
        assert data["chapters"][-1]["home"] is True
        # The first member of new chapters was invited to facilitate them.
        assert {r["chapter_url"] for r in data["roles"]} >= {"/c/gb/eng/london/hackney/"}
        assert {n["kind"] for n in data["notifications"]} >= {"welcome"}
        assert "password" not in response.content.decode()

    def test_the_export_holds_only_the_members_own_data(self, member, outsider,
                                                        member_client):
        text = member_client.post("/me/export/").content.decode()
        assert outsider.user.email not in text
        assert "Oscar" not in text


class TestDeleteAccount:
    def test_a_wrong_password_deletes_nothing(self, member, member_client):
        response = member_client.post("/me/delete/", {"password": "wrong"})
        assert response.status_code == 200
        assert "That is not your password." in response.content.decode()
        assert Member.objects.filter(pk=member.pk).exists()

    def test_no_password_deletes_nothing(self, member, member_client):
        response = member_client.post("/me/delete/", {})
        assert "password" in response.context["form"].errors
        assert Member.objects.filter(pk=member.pk).exists()

    def test_a_member_deletes_their_account(self, member, facilitator, member_client):
        user_id = member.user_id
        counts = _counts()
        response = member_client.post("/me/delete/", {"password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/"
        assert "Your account has been deleted" in response.content.decode()
        assert not Member.objects.filter(pk=member.pk).exists()
        assert not User.objects.filter(pk=user_id).exists()
        assert not Notification.objects.filter(recipient_id=member.pk).exists()
        assert "_auth_user_id" not in member_client.session
        after = _counts()
        assert after["gb/eng/london/hackney"] == counts["gb/eng/london/hackney"] - 1
        assert after[""] == counts[""] - 1
        # The other member is untouched.
        assert Member.objects.filter(pk=facilitator.pk).exists()

    def test_the_deleted_member_cannot_log_in(self, member, member_client):
        email = member.user.email
        member_client.post("/me/delete/", {"password": PASSWORD})
        response = Client().post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert response.status_code == 200
