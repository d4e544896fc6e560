from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("blocked/", views.blocked, name="blocked"),
    path("block/<uuid:member_id>/", views.block, name="block"),
    path("unblock/<uuid:member_id>/", views.unblock, name="unblock"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/reply/", views.reply, name="reply"),
    path("<uuid:public_id>/m/<uuid:message_id>/report/", views.report, name="report"),
    path("<uuid:public_id>/images/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
