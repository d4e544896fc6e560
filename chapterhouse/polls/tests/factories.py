import datetime

from django.utils import timezone

from chapterhouse.polls import services
from chapterhouse.polls.services import QuestionInput


def soon(days: int = 7) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def make_poll(author, *, chapter=None, question="Where do we meet?",
              options=("Library", "Café", "Park"), **fields):
    """A poll in the author's home chapter (or `chapter`), through the real service."""
    values = {"closes_at": soon(), **fields}
    return services.create_poll(chapter=chapter or author.home_chapter, author=author,
                                question=question, options=list(options), **values)


def make_survey(author, *, chapter=None, by_link=False, **fields):
    questions = [
        QuestionInput("single", "Are you in a union?", ["Yes", "No"]),
        QuestionInput("multiple", "What matters most?", ["Rent", "Wages", "Transport"]),
        QuestionInput("scale", "How hopeful are you?"),
        QuestionInput("text", "Anything else?"),
    ]
    values = {"closes_at": soon(), "title": "Founding survey", **fields}
    return services.create_survey(chapter=chapter or author.home_chapter, author=author,
                                  questions=questions, by_link=by_link, **values)
