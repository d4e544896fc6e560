"""Resources and lessons made through the real services, and file contents to upload."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from chapterhouse.members.models import Member
from chapterhouse.resources import services
from chapterhouse.resources.models import Lesson, Resource, Topic, Visibility

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
TEXT = "Minutes of the picnic: bring bread, and a café's worth of chairs.\n".encode()


def zipped(files: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<r/>"),
               ("word/document.xml", "<w:document/>")])
ODT = zipped([("mimetype", "application/vnd.oasis.opendocument.text"),
              ("content.xml", "<office:document-content/>")])


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_link(author: Member, *, title: str = "Organising guide",
              url: str = "https://example.org/guide", tags: str = "",
              visibility: str = Visibility.PUBLIC, chapter=None) -> Resource:
    return services.add_resource(chapter=chapter or author.home_chapter, author=author,
                                 title=title, url=url, tags=tags, visibility=visibility)


def make_file(author: Member, *, title: str = "Flyer", name: str = "flyer.pdf",
              data: bytes = PDF, tags: str = "", visibility: str = Visibility.PUBLIC,
              chapter=None) -> Resource:
    return services.add_resource(chapter=chapter or author.home_chapter, author=author,
                                 title=title, upload=io.BytesIO(data), upload_name=name,
                                 upload_size=len(data), tags=tags, visibility=visibility)


def make_lesson(author: Member, *, title: str = "Door knocking works",
                body: str = "Go in **pairs**.", topic: str = Topic.ORGANISING,
                chapter=None) -> Lesson:
    return services.write_lesson(chapter=chapter or author.home_chapter, author=author,
                                 title=title, body=body, topic=topic)
