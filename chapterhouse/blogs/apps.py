from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogsConfig(AppConfig):
    name = "chapterhouse.blogs"
    label = "blogs"
    verbose_name = _("Blogs")

    def ready(self) -> None:
        # Their comments (a discussions thread) are read by whoever sees them.
        from chapterhouse.discussions import subjects

        subjects.register("blogs.blogpost", "blogs.view_post")
        # The newest posts of the chapter's blog on the chapter page, and the member's
        # posts in their export.
        from chapterhouse.chapters import panels
        from chapterhouse.members import account_data

        from . import selectors, views

        panels.register(panels.Panel(
            app=self.label, template="blogs/_panel.html", context=views.panel_context, order=10,
        ))
        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
        ))
