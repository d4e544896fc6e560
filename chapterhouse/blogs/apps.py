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
        # Members report a post to the facilitators of its chapter (a member's blog: of
        # its owner's home chapter).
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="blogs.blogpost",
            chapter_of=lambda post: post.blog.chapter or post.blog.owner.home_chapter,
            excerpt=lambda post: f"{post.title}\n{post.body}", author_of=lambda post: post.author,
            view="blogs.view_post",
            related=("blog__chapter", "blog__owner__home_chapter", "author"),
        ))
