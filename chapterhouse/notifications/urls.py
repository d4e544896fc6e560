from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("settings/", views.email_settings, name="settings"),
    path("unread.json", views.unread_json, name="unread_json"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<uuid:public_id>/open/", views.open_notification, name="open"),
    path("<uuid:public_id>/read/", views.mark_notification_read, name="mark_read"),
]
