"""English dates as an international organisation writes them: "6 December 2026, 18:30".

Django's default English formats ("Dec. 6, 2026, 6 p.m.") end in a full stop, which
printed "p.m.." at the end of a sentence, and read month-first, which most of the
world does not. Other languages keep Django's formats for them.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
