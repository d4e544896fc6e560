import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from chapterhouse.conversations import services
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


def person(name: str, **fields) -> Member:
    """A member whose account is a month old (not limited as a new account)."""
    member = make_member(name, city="London", neighbourhood="Hackney", **fields)
    Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(days=30))
    member.refresh_from_db()
    return member


def conversation_of(author, *others, body="Hello", subject=""):
    return services.start_conversation(author=author, recipients=list(others), body=body,
                                       subject=subject)


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (20, 10), (0, 100, 0))
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
