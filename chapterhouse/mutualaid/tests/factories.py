from chapterhouse.mutualaid import services
from chapterhouse.mutualaid.models import Category, Entry, EntryKind


def make_entry(author, *, chapter=None, title="A lift to the clinic", **fields) -> Entry:
    """An entry of `author` on their home chapter's board (or `chapter`'s), through the
    real service."""
    values = {"kind": EntryKind.REQUEST, "category": Category.RIDES,
              "description": "On **Tuesday** morning.", **fields}
    return services.post_entry(chapter=chapter or author.home_chapter, author=author,
                               title=title, **values)
