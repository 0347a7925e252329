# calendar: month and year layouts for fixed years, leap years, weekday arithmetic.
import calendar

print(calendar.month(2024, 2))
print(calendar.TextCalendar(firstweekday=calendar.SUNDAY).formatmonth(2023, 12, w=3))
print(calendar.isleap(1900), calendar.isleap(2000), calendar.leapdays(1900, 2100), calendar.monthrange(2024, 2))
print(calendar.weekday(1969, 7, 20), calendar.day_name[calendar.weekday(1969, 7, 20)], list(calendar.month_abbr)[1:4])
fridays = [(m, d) for m in range(1, 13) for d in [13] if calendar.weekday(2026, m, d) == calendar.FRIDAY]
print("Friday 13th in 2026:", fridays)
print(calendar.monthcalendar(2025, 6))
print(calendar.timegm((2000, 1, 1, 0, 0, 0)), calendar.HTMLCalendar().formatmonth(2024, 1).count("<td"))
print(calendar.calendar(2025, m=4)[:400])
