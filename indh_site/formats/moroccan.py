"""The date and time formats every language shares: day first, never month first.

The first input format is the one the admin's calendar writes (DateTimeShortcuts reads
DATE_INPUT_FORMATS[0]) and the one a date field shows its value in.
"""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as on a Moroccan calendar

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 15/03/2025
    "%d-%m-%Y",  # 15-03-2025
    "%Y-%m-%d",  # 2025-03-15
    "%d.%m.%Y",  # 15.03.2025, as the workbook import also reads
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]

__all__ = [
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "FIRST_DAY_OF_WEEK",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "TIME_INPUT_FORMATS",
]
