"""Dates and times read as each shipped language writes them (issue #15, item 14 and
the Arabic fall-back to the American "December 1, 2026, 9:17 a.m." order)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import formats, translation

MOMENT = datetime.datetime(2026, 12, 1, 21, 17, tzinfo=datetime.UTC)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_date_and_time_puts_the_day_before_the_month_and_never_ends_in_two_stops(language):
    with translation.override(language):
        text = formats.date_format(MOMENT, "DATETIME_FORMAT")
        month = formats.date_format(MOMENT, "F")
    assert text.index("1") < text.index(month), text
    assert "2026" in text and ".." not in text and "p.m." not in text


def test_arabic_writes_its_own_order_and_marks():
    with translation.override("ar"):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "1 ديسمبر، 2026، 9:17 م"
