"""What may be uploaded to a chapter's library: the type by the content (never the name
or the browser's word), the size, and nothing stored when refused."""

import io
import os

import pytest
from django.conf import settings

from chapterhouse.resources import services
from chapterhouse.resources.models import Resource
from chapterhouse.resources.services import ResourceError, check_upload

from .factories import DOCX, JPEG, ODT, PDF, PNG, TEXT, make_file, zipped

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"


def stored_files():
    root = settings.PRIVATE_MEDIA_ROOT
    return [name for _dir, _dirs, names in os.walk(root) for name in names] if root.exists() else []


def check(data, name="upload.bin"):
    return check_upload(io.BytesIO(data), name=name, size=len(data))


@pytest.mark.parametrize(("data", "content_type", "extension"), [
    (PDF, "application/pdf", "pdf"),
    (PNG, "image/png", "png"),
    (JPEG, "image/jpeg", "jpg"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp", "webp"),
    (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (ODT, "application/vnd.oasis.opendocument.text", "odt"),
    (TEXT, "text/plain", "txt"),
])
def test_each_allowed_type_is_known_by_its_content(data, content_type, extension):
    checked = check(data, name="whatever.bin")
    assert (checked.content_type, checked.extension) == (content_type, extension)
    assert checked.filename == f"whatever.{extension}"


def test_a_png_named_pdf_is_taken_for_the_png_it_is(member):
    resource = make_file(member, name="report.pdf", data=PNG)
    assert (resource.content_type, resource.extension) == ("image/png", "png")
    assert resource.filename == "report.png"
    assert resource.file.name.endswith(".png") and "report" not in resource.file.name


@pytest.mark.parametrize(("name", "data"), [
    ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows executable
    ("tool.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),  # a Linux executable
    ("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("note.txt", b"Hello\n<script>alert(document.cookie)</script>"),
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("logo.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("archive.docx", zipped([("a.txt", "hi")])),  # a plain zip is not an office document
    ("image.gif", b"GIF89a" + b"\x00" * 50),  # a real type, not on the list
    ("binary.txt", b"text\x00with a NUL"),
    ("latin1.txt", "café".encode("latin-1")),
])
def test_what_is_not_on_the_list_is_refused_whatever_its_name(member, name, data):
    with pytest.raises(ResourceError, match="cannot be shared here"):
        make_file(member, name=name, data=data)
    assert not Resource.objects.exists()
    assert stored_files() == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(member, settings):
    settings.RESOURCE_FILE_MAX_BYTES = 1000
    with pytest.raises(ResourceError, match="too large"):
        make_file(member, data=PDF + b"x" * 1000)
    # Even when the size given is a lie: what is read counts.
    with pytest.raises(ResourceError, match="too large"):
        services.add_resource(chapter=member.home_chapter, author=member, title="Big",
                              upload=io.BytesIO(PDF + b"x" * 1000), upload_name="a.pdf",
                              upload_size=10)
    assert not Resource.objects.exists() and stored_files() == []


def test_an_empty_file_is_refused(member):
    with pytest.raises(ResourceError, match="empty"):
        make_file(member, data=b"")


def test_path_tricks_in_the_name_reach_neither_the_disk_nor_the_download_name(member):
    resource = make_file(member, name="../../etc/passwd\r\n.pdf", data=PDF)
    assert resource.filename == "passwd.pdf"
    assert resource.file.name.startswith("resources/")
    assert os.path.realpath(resource.file.path).startswith(
        os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
    windows = make_file(member, name="C:\\Users\\x\\evil\".pdf", data=PDF)
    assert windows.filename == "evil.pdf"


def test_files_are_stored_outside_the_public_media_root(member):
    resource = make_file(member)
    path = os.path.realpath(resource.file.path)
    assert path.startswith(os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(os.path.realpath(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        resource.file.url  # noqa: B018 - private files have no public URL


def test_the_form_refuses_a_disguised_file_with_a_clear_error_and_stores_nothing(
    member_client,
):
    from .factories import upload

    response = member_client.post(HACKNEY + "resources/new/", {
        "title": "Logo", "visibility": "public",
        "file": upload("logo.png", b"<svg onload='alert(1)'></svg>", "image/png"),
    })
    assert response.status_code == 400
    assert "cannot be shared here" in response.content.decode()
    assert not Resource.objects.exists() and stored_files() == []


def test_a_link_or_a_file_not_both_nor_neither(member):
    with pytest.raises(ResourceError, match="either a link or a file"):
        services.add_resource(chapter=member.home_chapter, author=member, title="Both",
                              url="https://example.org", upload=io.BytesIO(PDF),
                              upload_name="a.pdf")
    with pytest.raises(ResourceError, match="either a link or a file"):
        services.add_resource(chapter=member.home_chapter, author=member, title="None")
    assert stored_files() == []


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "ftp://example.org/file", "data:text/html,<b>x</b>",
    "example.org", "https://",
])
def test_only_http_and_https_links(member, url):
    with pytest.raises(ResourceError, match="http:// or https://"):
        services.add_resource(chapter=member.home_chapter, author=member, title="Link",
                              url=url)
    assert not Resource.objects.exists()


def test_tags_are_normalised_into_one_tag_table(member):
    first = services.add_resource(chapter=member.home_chapter, author=member, title="A",
                                  url="https://example.org/a",
                                  tags=" Training,#flyers ,training,  Street   stalls")
    second = services.add_resource(chapter=member.home_chapter, author=member, title="B",
                                   url="https://example.org/b", tags="FLYERS")
    assert sorted(t.name for t in first.tags.all()) == ["flyers", "street stalls", "training"]
    assert [t.pk for t in second.tags.all()] == [first.tags.get(name="flyers").pk]


def test_too_many_tags_are_refused(member):
    with pytest.raises(ResourceError, match="At most 10 tags"):
        services.add_resource(chapter=member.home_chapter, author=member, title="A",
                              url="https://example.org/a",
                              tags=",".join(f"t{i}" for i in range(11)))
    assert not Resource.objects.exists()
