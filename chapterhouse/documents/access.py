"""Fetch a founding document or one of its sections for a request, with permission
(lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Document, Section


def access_document_by_id(request: Any, public_id: Any) -> Document:
    """The document `public_id` with its chapter; 404 for any other id."""
    missing = _("There is no such document.")
    document = selectors.document_by_public_id(parse_uuid(public_id, missing))
    return access(request, document, view="documents.view_document", missing=missing)


def access_section_by_id(request: Any, public_id: Any) -> Section:
    """The section `public_id` with its document and chapter; 404 for any other id."""
    missing = _("There is no such section.")
    section = selectors.section_by_public_id(parse_uuid(public_id, missing))
    if section is None:
        raise Http404(missing)
    # Seen by whoever sees its document.
    access(request, section.document, view="documents.view_document", missing=missing)
    return section
