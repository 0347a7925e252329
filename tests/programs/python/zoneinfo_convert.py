# zoneinfo: convert fixed instants between IANA zones, across DST transitions.
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/St_Johns"]
instant = datetime(2024, 3, 31, 0, 30, tzinfo=timezone.utc)
for step in range(4):
    t = instant + timedelta(hours=step)
    row = [t.astimezone(ZoneInfo(z)).strftime("%Y-%m-%d %H:%M %Z%z") for z in zones]
    print(" | ".join(row))

ny = ZoneInfo("America/New_York")
local = datetime(2023, 11, 5, 1, 30, tzinfo=ny)
print(local.fold, local.utcoffset(), local.replace(fold=1).utcoffset())
start = datetime(2023, 3, 11, 12, 0, tzinfo=ny)
print(start + timedelta(days=1), (start + timedelta(days=1)).astimezone(timezone.utc))
print(datetime(2022, 6, 1, tzinfo=ZoneInfo("Europe/London")).tzname(),
      datetime(2022, 12, 1, tzinfo=ZoneInfo("Europe/London")).tzname())
try:
    ZoneInfo("Mars/Olympus_Mons")
except Exception as e:
    print(type(e).__name__)
