"""What the decisions' services tell members (notifications.messages)."""

from django.utils.translation import gettext_lazy as _

from chapterhouse.notifications.messages import define

from .models import Decision

define("decisions.published", _("New proposal in %(chapter)s: “%(title)s”."))
define("decisions.voting_opened", _("Voting on “%(title)s” is open until %(when)s."))
define("decisions.vote_reminder",
       _("Voting on “%(title)s” closes on %(when)s, and you have not voted yet."))
define("decisions.decided", _("“%(title)s” was decided: %(outcome)s."),
       choices={"outcome": Decision.Outcome})
define("decisions.amendment_proposed", _("%(name)s proposed an amendment to “%(title)s”."))
define("decisions.amendment_accepted", _("Your amendment to “%(title)s” was accepted."))
define("decisions.weight_objection", _("%(name)s objects to a weight of “%(title)s”."))
define("decisions.objections_settled_above",
       _("The vote on “%(title)s” waits: the facilitators of %(chapter)s settle objections "
         "to its weights."))
define("decisions.weights_vote",
       _("Objections hold the vote on “%(title)s”: vote until %(when)s on keeping its "
         "weights or making them equal."))
define("decisions.role_granted",
       _("By the decision on “%(title)s”, you now facilitate %(chapter)s."))
define("decisions.role_ended",
       _("By the decision on “%(title)s”, you no longer facilitate %(chapter)s."))
