"""Reading and showing dates, times and ages the British way."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from veru_desk.domain.dates import (
    age_description,
    age_on,
    format_time,
    format_uk_date,
    format_uk_datetime,
    parse_optional_uk_date,
    parse_time,
    parse_uk_date,
    parse_uk_datetime,
)
from veru_desk.domain.errors import ValidationError

TODAY = date(2026, 1, 15)


def parse(text: str, field: str = "date") -> date:
    return parse_uk_date(text, field, today=TODAY)


def refusal(text: str, field: str = "date") -> str:
    with pytest.raises(ValidationError) as caught:
        parse_uk_date(text, field, today=TODAY)
    assert list(caught.value.fields) == [field]
    return caught.value.fields[field]


@pytest.mark.parametrize(
    "text",
    [
        "03/04/2010",
        "3/4/2010",
        "03/4/2010",
        "3/04/2010",
        "3/4/10",
        "03-04-2010",
        "03.04.2010",
        "2010-04-03",
        "2010-4-3",
        "3 April 2010",
        "3 Apr 2010",
        "03 april 2010",
        "3rd April 2010",
        "3RD APRIL 2010",
        "3 Apr. 2010",
        "3 April, 2010",
        "03-Apr-10",
        "03-Apr-2010",
        "3 April 10",
        "Saturday 3 April 2010",
        "Sat, 3 April 2010",
        "  03/04/2010  ",
        "\t3 April\u00a02010\n",
        "03 / 04 / 2010",
    ],
)
def test_every_accepted_form_reads_as_the_third_of_april(text: str) -> None:
    assert parse(text) == date(2010, 4, 3)


def test_day_first_always() -> None:
    assert parse("01/02/2010") == date(2010, 2, 1)
    assert parse("12/11/2010") == date(2010, 11, 12)


def test_a_us_style_date_is_refused_not_swapped() -> None:
    message = refusal("04/13/2010")
    assert "no month 13" in message
    assert "day first" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1st May 2011", date(2011, 5, 1)),
        ("2nd June 2012", date(2012, 6, 2)),
        ("22nd Sept 2013", date(2013, 9, 22)),
        ("31 December 1999", date(1999, 12, 31)),
        ("1 jan 2000", date(2000, 1, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("29 Feb 2000", date(2000, 2, 29)),
    ],
)
def test_month_names_ordinals_and_leap_days(text: str, expected: date) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected_year"),
    [
        ("03/04/10", 2010),
        ("5/6/95", 1995),
        ("1/1/00", 2000),
        ("1/1/26", 2026),
        ("1/1/36", 2036),
        ("1/1/37", 1937),
        ("1/1/99", 1999),
    ],
)
def test_two_digit_years_are_at_most_ten_years_ahead(text: str, expected_year: int) -> None:
    assert parse(text).year == expected_year


def test_two_digit_year_pivot_moves_with_the_reference_day() -> None:
    assert parse_uk_date("1/1/45", today=date(2040, 6, 1)) == date(2045, 1, 1)
    assert parse_uk_date("1/1/51", today=date(2040, 6, 1)) == date(1951, 1, 1)


def test_two_digit_year_uses_the_real_today_when_not_told() -> None:
    assert parse_uk_date("03/04/10") == date(2010, 4, 3)


def test_thirty_first_february_is_refused_with_the_field_named() -> None:
    message = refusal("31/02/2011", field="date_of_birth")
    assert message.startswith("31/02/2011 is not a real date")
    assert "February 2011 has 28 days" in message
    assert "dd/mm/yyyy" in message


def test_twenty_ninth_february_in_a_common_year_is_refused() -> None:
    assert "February 2023 has 28 days" in refusal("29/02/2023")


@pytest.mark.parametrize("text", ["31/04/2010", "0/4/2010", "32 March 2010", "00-01-2010"])
def test_days_outside_the_month_are_refused(text: str) -> None:
    assert "is not a real date" in refusal(text)


@pytest.mark.parametrize("text", ["13/13/2010", "1/0/2010", "2010-13-01"])
def test_months_outside_one_to_twelve_are_refused(text: str) -> None:
    assert "no month" in refusal(text)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_is_refused_asking_for_a_date(text: str) -> None:
    assert refusal(text).startswith("Enter a date")


@pytest.mark.parametrize(
    "text",
    [
        "next tuesday",
        "April",
        "April 2010",
        "3 April",
        "03/04",
        "2010",
        "03042010",
        "3//4/2010",
        "03/04-2010",
        "April 3, 2010",
        "3 4 2010",
        "yesterday",
        "٠٣/٠٤/٢٠١٠",
        "０３/０４/２０１０",
        "03/04/2010 16:00",
        "1/2/3/4",
        "--",
    ],
)
def test_unreadable_text_is_refused_with_the_expected_form(text: str) -> None:
    message = refusal(text)
    assert "dd/mm/yyyy" in message


def test_a_misspelt_month_is_named_in_the_message() -> None:
    assert "'apirl' is not a month name" in refusal("3 Apirl 2010")


def test_a_wrong_weekday_is_refused() -> None:
    message = refusal("Monday 3 April 2010")
    assert "was a Saturday, not a Monday" in message


def test_an_unknown_weekday_word_is_refused() -> None:
    assert "not a day of the week" in refusal("Someday 3 April 2010")


@pytest.mark.parametrize("text", ["1/2/201", "1/2/20101", "3 April 201"])
def test_three_and_five_digit_years_are_refused(text: str) -> None:
    assert "four digits" in refusal(text)


@pytest.mark.parametrize("text", ["01/02/0210", "01/02/1899", "01/02/2101", "0000-01-01"])
def test_years_outside_1900_to_2100_are_taken_as_typing_slips(text: str) -> None:
    assert "typing slip" in refusal(text)


def test_long_input_is_shortened_in_the_message() -> None:
    message = refusal("x" * 500)
    assert len(message) < 120


def test_optional_date_treats_blank_as_not_recorded() -> None:
    assert parse_optional_uk_date(None) is None
    assert parse_optional_uk_date("  ") is None
    assert parse_optional_uk_date("3/4/2010", today=TODAY) == date(2010, 4, 3)
    with pytest.raises(ValidationError) as caught:
        parse_optional_uk_date("31/02/2011", "target_date")
    assert "target_date" in caught.value.fields


def test_format_uk_date_pads_day_and_month() -> None:
    assert format_uk_date(date(2010, 4, 3)) == "03/04/2010"
    assert format_uk_date(date(1999, 12, 31)) == "31/12/1999"
    assert format_uk_date(None) == ""


def test_format_uk_date_pads_early_years_the_same_on_every_platform() -> None:
    assert format_uk_date(date(987, 6, 5)) == "05/06/0987"


def test_format_uk_datetime_shows_the_24_hour_clock() -> None:
    assert format_uk_datetime(datetime(2010, 4, 3, 16, 0)) == "03/04/2010 16:00"
    assert format_uk_datetime(datetime(2010, 4, 3, 9, 5, 59)) == "03/04/2010 09:05"
    assert format_uk_datetime(None) == ""


def test_format_time() -> None:
    assert format_time(time(9, 5)) == "09:05"
    assert format_time(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16:00", time(16, 0)),
        ("16.00", time(16, 0)),
        ("1600", time(16, 0)),
        ("0930", time(9, 30)),
        ("930", time(9, 30)),
        ("9:30", time(9, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("4pm", time(16, 0)),
        ("4 pm", time(16, 0)),
        ("4PM", time(16, 0)),
        ("4:30 pm", time(16, 30)),
        ("4.30pm", time(16, 30)),
        ("4:30 p.m.", time(16, 30)),
        ("10am", time(10, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15am", time(0, 15)),
        ("noon", time(12, 0)),
        ("Midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("  16:00 ", time(16, 0)),
    ],
)
def test_parse_time_accepts_the_ways_people_write_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "4",
        "16",
        "24:00",
        "16:60",
        "13pm",
        "0am",
        "16:00pm",
        "teatime",
        "4:3",
        "16:000",
        "1:2:3",
    ],
)
def test_parse_time_refuses_ambiguous_or_impossible_times(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(text, "start_time")
    assert list(caught.value.fields) == ["start_time"]


def test_a_bare_hour_is_refused_because_4_could_mean_4pm() -> None:
    with pytest.raises(ValidationError, match="4pm"):
        parse_time("4")


def test_parse_uk_datetime_combines_date_and_time() -> None:
    assert parse_uk_datetime("3/4/2010", "4pm", today=TODAY) == datetime(2010, 4, 3, 16, 0)


def test_parse_uk_datetime_reports_both_fields_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_uk_datetime("31/02/2011", "25:00", date_field="session_date", time_field="start")
    assert set(caught.value.fields) == {"session_date", "start"}


def test_parse_uk_datetime_reports_only_the_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_uk_datetime("3/4/2010", "teatime")
    assert set(caught.value.fields) == {"time"}


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2010, 4, 3), date(2024, 4, 2), 13),
        (date(2010, 4, 3), date(2024, 4, 3), 14),
        (date(2010, 4, 3), date(2024, 4, 4), 14),
        (date(2010, 4, 3), date(2010, 4, 3), 0),
        (date(2000, 12, 31), date(2026, 1, 1), 25),
    ],
)
def test_age_on_counts_whole_years_turning_on_the_birthday(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_leap_day_child_turns_older_on_28_february_in_a_common_year() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2025, 2, 27)) == 16
    assert age_on(born, date(2025, 2, 28)) == 17
    assert age_on(born, date(2025, 3, 1)) == 17


def test_leap_day_child_turns_older_on_29_february_in_a_leap_year() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16


def test_age_on_refuses_a_birth_after_the_day() -> None:
    with pytest.raises(ValidationError) as caught:
        age_on(date(2030, 1, 1), date(2026, 1, 1))
    assert "01/01/2030 is after 01/01/2026" in caught.value.fields["date_of_birth"]


@pytest.mark.parametrize(
    ("born", "on", "text"),
    [
        (date(2010, 4, 3), date(2024, 6, 1), "14 years"),
        (date(2024, 1, 3), date(2026, 1, 3), "2 years"),
        (date(2024, 7, 3), date(2026, 1, 2), "17 months"),
        (date(2025, 12, 3), date(2026, 1, 3), "1 month"),
        (date(2026, 1, 3), date(2026, 1, 10), "0 months"),
    ],
)
def test_age_description_uses_months_under_two(born: date, on: date, text: str) -> None:
    assert age_description(born, on) == text


def test_age_counts_the_years_relativedelta_counts_for_every_birthday_of_a_leap_cycle() -> None:
    """``age_on`` counts without building a relativedelta (for speed); this holds the two
    equal for every birthday of four years against the days around every month's turn of
    two years, a leap year among them: 29 February, 28 February and 1 March included."""
    births = [date(2007, 1, 1) + timedelta(days=i) for i in range(366 * 3 + 365)]
    turns = [
        date(year, month, 1) + timedelta(days=shift)
        for year in (2023, 2024)
        for month in range(1, 13)
        for shift in (-2, -1, 0, 1)
    ]
    wrong = [
        (born, on)
        for born in births
        for on in turns
        if age_on(born, on) != relativedelta(on, born).years
    ]
    assert wrong == []
    assert age_on(date(2008, 2, 29), date(2025, 2, 28)) == 17  # relativedelta's clipping
    assert age_on(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert age_on(date(2008, 2, 29), date(2024, 2, 29)) == 16
