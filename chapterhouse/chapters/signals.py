"""Signals the chapters app sends for apps above it to follow (not business logic).

- `sections_changed(sender=Chapter, chapter=…, section=…)`: after the commit of a change
  of a chapter's section setting (who sees it): the apps that keep copies of who sees
  what (the search index, the activity) recompute the chapter's rows.
"""

from django.dispatch import Signal

sections_changed = Signal()
