from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "chapterhouse.activity"
    label = "activity"
    verbose_name = _("Activity")

    def ready(self) -> None:
        from chapterhouse.chapters import panels
        from chapterhouse.lib import pagecache
        from chapterhouse.members import account_data, home_panels
        from chapterhouse.projects import panels as group_panels

        from . import selectors, services, signals, views

        signals.connect()
        panels.register(panels.Panel(app=self.label, template="activity/_follow_chapter.html",
                                     context=views.chapter_panel_context, order=-20))
        pagecache.register_hole("activity.follow_chapter", views.follow_chapter_button)
        group_panels.register(group_panels.Panel(
            app=self.label, template="activity/_follow_group.html",
            context=views.group_panel_context))
        home_panels.register(home_panels.Panel(app=self.label, template="activity/_home.html",
                                               context=views.home_panel_context))
        # The member's follows go with their account (the foreign key cascades).
        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_on_deletion=services.remove_follows_of))
