"""Signals the chapters app sends for apps above it to follow (not business logic).

- `sections_changed(sender=Chapter, chapter=…)`: after the commit of a change of a
  chapter's sections (who sees them): the search index reindexes its content.
"""

from django.dispatch import Signal

sections_changed = Signal()
