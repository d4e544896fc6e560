from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "chapterhouse.projects"
    label = "projects"
    verbose_name = _("Projects and working groups")

    def ready(self) -> None:
        # Their comments (a discussions thread) are read by whoever sees them.
        from chapterhouse.discussions import subjects

        subjects.register("projects.group", "projects.view_group")
        # The member's groups on "My chapters", and in their data export. Their
        # memberships go with their account (cascade); their tasks stay, unassigned.
        from chapterhouse.chapters import memberships, sections
        from chapterhouse.members import account_data

        from . import selectors, views

        # A chapter may give a section's posting to one of its working groups.
        sections.register_groups(selectors.SectionGroups())

        memberships.register(memberships.Memberships(
            app=self.label, template="projects/_my_groups.html", context=views.my_groups_context,
        ))
        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
        ))
