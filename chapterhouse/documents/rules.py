"""Who does what with founding documents. Checked through `viewer.can(name, chapter)`.

- Anyone reads them (chapters are public, as are their decisions).
- A chapter's facilitators (and staff) create a document with its founding text.
- Its sections then change only by a decision of the chapter (a "rules" proposal
  carrying the amendment, applied by the decisions app when it passes).
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.rules import is_active_facilitator

rules.add_perm("documents.view_document", rules.always_allow)
rules.add_perm("documents.create_document", is_active_facilitator | rules.is_staff)
