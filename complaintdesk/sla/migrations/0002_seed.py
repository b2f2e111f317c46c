"""Seed: the default business calendar with China's holidays and make-up workdays (2004-2026, from
``chinese_calendar``), a 24x7 calendar, and the default SLA policy."""

from datetime import date

from django.db import migrations

NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

WEEKDAYS = [["09:00", "12:00"], ["13:30", "18:00"]]

DEFAULT_TARGETS = {
    "P1": {"first_response_minutes": 15, "resolution_minutes": 120},
    "P2": {"first_response_minutes": 60, "resolution_minutes": 480},
    "P3": {"first_response_minutes": 240, "resolution_minutes": 1440},
    "P4": {"first_response_minutes": 480, "resolution_minutes": 4320},
}
DEFAULT_ESCALATION = [
    {"level": 1, "after_minutes": 0, "to": "supervisor"},
    {"level": 2, "after_minutes": 60, "to": "department_manager"},
    {"level": 3, "after_minutes": 240, "to": "role", "role": "admin"},
]


def _name(name):
    zh = NAMES_ZH.get(str(name))
    return f"{zh} {name}" if zh else str(name)


def seed(apps, schema_editor):
    import chinese_calendar

    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    CalendarYear = apps.get_model("sla", "CalendarYear")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaPolicyVersion = apps.get_model("sla", "SlaPolicyVersion")

    hours = {**{str(d): WEEKDAYS for d in range(5)}, "5": [], "6": []}
    cal = BusinessCalendar.objects.create(
        key="cn-default", name="默认工作日历 Default (China)", time_zone="Asia/Shanghai",
        working_hours=hours, is_default=True,
    )
    BusinessCalendar.objects.create(
        key="24x7", name="全天候 24×7", time_zone="Asia/Shanghai",
        working_hours={str(d): [["00:00", "24:00"]] for d in range(7)}, is_24x7=True,
        uses_statutory_holidays=False,
    )
    days = {}
    for day, name in chinese_calendar.holidays.items():
        days[day] = ("holiday", _name(name))
    for day, name in chinese_calendar.workdays.items():
        days[day] = ("workday", _name(name))
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=cal, date=d, kind=k, name=n) for d, (k, n) in sorted(days.items())]
    )
    years = []
    for year in range(2004, 2100):
        try:
            chinese_calendar.is_holiday(date(year, 6, 1))
        except NotImplementedError:
            continue  # 2027 and later: no data yet, imported by administrators
        years.append(year)
    CalendarYear.objects.bulk_create([CalendarYear(calendar=cal, year=y, source="chinese_calendar") for y in years])

    policy = SlaPolicy.objects.create(
        name="默认 SLA Default", description="P1 15 分钟/2 小时, P2 1/8 小时, P3 4/24 小时, P4 8/72 小时（工作时间）",
        condition=None, order=1000, calendar=None, targets=DEFAULT_TARGETS,
        warning_fractions=[0.75, 0.9], escalation=DEFAULT_ESCALATION, node_targets={},
    )
    SlaPolicyVersion.objects.create(
        policy=policy, version=1,
        snapshot={"name": policy.name, "condition": None, "calendar_id": None, "targets": DEFAULT_TARGETS,
                  "warning_fractions": [0.75, 0.9], "escalation": DEFAULT_ESCALATION, "node_targets": {}},
    )


def unseed(apps, schema_editor):
    apps.get_model("sla", "SlaPolicyVersion").objects.all().delete()
    apps.get_model("sla", "SlaPolicy").objects.all().delete()
    apps.get_model("sla", "BusinessCalendar").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
