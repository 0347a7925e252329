# datetime: fixed dates only; arithmetic, formatting, parsing, ISO weeks, fixed-offset zones.
import calendar
from datetime import date, datetime, time, timedelta, timezone

launch = datetime(2023, 3, 14, 15, 9, 26, 535897)
print(launch, launch.isoformat(), launch.strftime("%A %d %B %Y, %H:%M:%S.%f"))
print(launch.date(), launch.time(), launch.timetuple().tm_yday, launch.isocalendar())
print(launch + timedelta(days=100, hours=7), launch - timedelta(weeks=52))
print(datetime(2024, 3, 1) - datetime(2024, 2, 1), (date(2025, 1, 1) - date(2000, 1, 1)).days)
print(datetime.strptime("2021-07-04 18:30", "%Y-%m-%d %H:%M").strftime("%I:%M %p on %a %b %d"))
print(date.fromisoformat("2020-02-29").replace(year=2024), date(2024, 12, 30).isocalendar())
print(datetime.fromisoformat("2011-11-04T00:05:23+04:00"))
print(date.fromordinal(738000), date(2023, 1, 1).toordinal(), date(2023, 1, 1).weekday())

utc = timezone.utc
tokyo = timezone(timedelta(hours=9), "JST")
newfoundland = timezone(timedelta(hours=-3, minutes=-30))
meeting = datetime(2023, 10, 29, 1, 30, tzinfo=utc)
for tz in (utc, tokyo, newfoundland):
    local = meeting.astimezone(tz)
    print(local.isoformat(), local.tzname(), local.utcoffset())
print(datetime.fromtimestamp(1700000000, tz=utc), datetime(2038, 1, 19, 3, 14, 8, tzinfo=utc).timestamp())
print(datetime(1970, 1, 1, tzinfo=utc) + timedelta(seconds=2**31))

td = timedelta(days=1, hours=25, minutes=61, seconds=3661, microseconds=1500000)
print(td, td.total_seconds(), td // timedelta(hours=1), -td, abs(-td), td * 1.5)
print(time(23, 59, 59, 999999).isoformat(timespec="milliseconds"), time(7, 5).strftime("%H.%M"))

d = date(2024, 1, 31)
months = []
for i in range(1, 13):
    y, m = divmod(d.month - 1 + i, 12)
    y += d.year
    m += 1
    months.append(date(y, m, min(d.day, calendar.monthrange(y, m)[1])).isoformat())
print(months)
print(sorted([date(2022, 5, 1), date(2021, 12, 31), date(2022, 1, 1)]))
try:
    date(2023, 2, 29)
except ValueError as e:
    print("ValueError:", e)
