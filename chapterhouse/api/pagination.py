"""The API's pages: `?page=` must be one whole number from 1, or absent."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    """DRF's page numbers, but a page that is not one whole number (empty, repeated,
    "abc", "-1") is refused with 400 rather than read as the first page."""

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        given = request.query_params.getlist(self.page_query_param)
        if not given:
            return 1
        if len(given) > 1 or not given[0].isascii() or not given[0].isdigit() \
                or int(given[0]) < 1:
            raise ValidationError({self.page_query_param: [
                _("Give one page number, a whole number from 1.")]})
        return given[0]
