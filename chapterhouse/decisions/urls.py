"""The decision pages under /decisions/.

/decisions/c/<chapter path>/ is the chapter's "Decisions" section (the chapter
navigation links it by the name `decisions:chapter`); a new proposal is made at
/decisions/new/<chapter path>/, an address no chapter slug can clash with.
"""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from .views import (
    affectedness,
    amendments,
    drafting,
    log,
    objections,
    proposals,
    records,
    subsidiarity,
    voting,
)

app_name = "decisions"
urlpatterns = [
    path("", log.index, name="index"),
    path("export.csv", log.export, {"fmt": "csv"}, name="export_csv"),
    path("export.json", log.export, {"fmt": "json"}, name="export_json"),
    path("chain.json", records.chain, name="chain"),
    path("c/<chapterpath:url_path>", log.chapter, name="chapter"),
    path("new/<chapterpath:url_path>", drafting.new, name="new"),
    path("p/<uuid:public_id>/", proposals.detail, name="detail"),
    path("p/<uuid:public_id>/edit/", drafting.edit, name="edit"),
    path("p/<uuid:public_id>/publish/", drafting.publish, name="publish"),
    path("p/<uuid:public_id>/withdraw/", drafting.withdraw, name="withdraw"),
    path("p/<uuid:public_id>/versions/", proposals.versions, name="versions"),
    path("p/<uuid:public_id>/amend/", amendments.amend, name="amend"),
    path("p/<uuid:public_id>/amendments/<int:number>/accept/", amendments.accept_amendment,
         name="accept_amendment"),
    path("p/<uuid:public_id>/amendments/<int:number>/withdraw/",
         amendments.withdraw_amendment, name="withdraw_amendment"),
    path("p/<uuid:public_id>/affected/", affectedness.affected, name="affected"),
    path("p/<uuid:public_id>/stake/", affectedness.stake, name="stake"),
    path("p/<uuid:public_id>/objections/", objections.object_to_weight, name="object"),
    path("p/<uuid:public_id>/objections/<uuid:objection_id>/withdraw/",
         objections.withdraw_objection, name="withdraw_objection"),
    path("p/<uuid:public_id>/objections/<uuid:objection_id>/maintain/",
         objections.maintain_objection, name="maintain_objection"),
    path("p/<uuid:public_id>/objections/settle/", objections.settle, name="settle_objections"),
    path("p/<uuid:public_id>/objections/vote/", objections.vote_on_weights,
         name="vote_on_weights"),
    path("p/<uuid:public_id>/move-up/", subsidiarity.move_up, name="move_up"),
    path("p/<uuid:public_id>/refer-down/", subsidiarity.refer_down, name="refer_down"),
    path("p/<uuid:public_id>/vote/", voting.vote, name="vote"),
    path("d/<int:sequence>/", records.record, name="record_number"),
    path("d/<uuid:public_id>/", records.record, name="record"),
    path("d/<uuid:public_id>/ballots.json", records.ballot_file, name="ballot_file"),
    path("d/<uuid:public_id>/dissent/", records.dissent, name="dissent"),
    path("d/<uuid:public_id>/receipt/", records.find_receipt, name="find_receipt"),
]
