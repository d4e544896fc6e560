"""Arabic date-times: Django's Arabic locale sets no DATETIME_FORMAT, so a date and time
fell back to the global American one ("ديسمبر 1, 2026, 9:17 ص"). The date part is
Django's own Arabic DATE_FORMAT; the rest of its Arabic formats apply unchanged."""

DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
