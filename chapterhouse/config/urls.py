from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from chapterhouse.lib.lazyurls import lazy_include

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("chapterhouse.members.urls")),
    path("", include("chapterhouse.announcements.urls")),
    path("", include("chapterhouse.documents.urls")),
    path("", include("chapterhouse.projects.urls")),
    path("", include("chapterhouse.mutualaid.urls")),
    path("", include("chapterhouse.resources.urls")),
    path("", include("chapterhouse.blogs.urls")),
    path("", include("chapterhouse.polls.urls")),
    path("", include("chapterhouse.moderation.urls")),
    path("", include("chapterhouse.activity.urls")),
    path("c/", include("chapterhouse.chapters.urls")),
    path("map/", include("chapterhouse.chapters.map_urls")),
    path("me/roles/", include("chapterhouse.chapters.roles_urls")),
    path("places/", include("chapterhouse.places.urls")),
    path("notifications/", include("chapterhouse.notifications.urls")),
    path("discussions/", include("chapterhouse.discussions.urls")),
    path("forums/", include("chapterhouse.discussions.forum_urls")),
    path("decisions/", include("chapterhouse.decisions.urls")),
    path("messages/", include("chapterhouse.conversations.urls")),
    path("chat/", include("chapterhouse.chat.urls")),
    path("events/", include("chapterhouse.events.urls")),
    path("search/", include("chapterhouse.search.urls")),
    path("api/", include("chapterhouse.api.urls")),
    # allauth.urls, with its two-factor views loaded on first use (accounts_urls says why).
    path("accounts/", include("chapterhouse.config.accounts_urls")),
    # Email providers' inbound webhooks (replies by email: chapterhouse.inbound), loaded
    # on the first webhook: Anymail's views import cryptography (lib.lazyurls).
    lazy_include("anymail/", "anymail.urls", namespace="anymail"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Uploaded avatars, served by the app in the demo; a proxy serves them at scale.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
