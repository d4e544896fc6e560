"""The decision pages under /decisions/.

/decisions/c/<chapter path>/ is the chapter's "Decisions" section (the chapter
navigation links it by the name `decisions:chapter`); a new proposal is made at
/decisions/new/<chapter path>/, an address no chapter slug can clash with.
"""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "decisions"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("c/<chapterpath:url_path>", views.chapter, name="chapter"),
    path("new/<chapterpath:url_path>", views.new, name="new"),
    path("suggest/chapters/<chapterpath:url_path>", views.subchapter_search,
         name="subchapter_search"),
    path("suggest/members/<chapterpath:url_path>", views.member_search, name="member_search"),
    path("p/<uuid:public_id>/", views.detail, name="detail"),
    path("p/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("p/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("p/<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("p/<uuid:public_id>/versions/", views.versions, name="versions"),
    path("p/<uuid:public_id>/amend/", views.amend, name="amend"),
    path("p/<uuid:public_id>/amendments/<int:number>/accept/", views.accept_amendment,
         name="accept_amendment"),
    path("p/<uuid:public_id>/amendments/<int:number>/withdraw/", views.withdraw_amendment,
         name="withdraw_amendment"),
    path("p/<uuid:public_id>/affected/", views.affected, name="affected"),
    path("p/<uuid:public_id>/stake/", views.stake, name="stake"),
    path("p/<uuid:public_id>/move-up/", views.move_up, name="move_up"),
    path("p/<uuid:public_id>/refer-down/", views.refer_down, name="refer_down"),
    path("p/<uuid:public_id>/vote/", views.vote, name="vote"),
    path("d/<int:sequence>/", views.record, name="record_number"),
    path("d/<uuid:public_id>/", views.record, name="record"),
    path("d/<uuid:public_id>/ballots.json", views.ballot_file, name="ballot_file"),
    path("d/<uuid:public_id>/dissent/", views.dissent, name="dissent"),
    path("d/<uuid:public_id>/receipt/", views.find_receipt, name="find_receipt"),
]
