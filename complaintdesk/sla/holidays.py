"""China's statutory holiday schedule: the seed from ``chinese_calendar`` and the yearly import format.

``chinese_calendar`` covers 2004-2026 and raises ``NotImplementedError`` for later years; the State
Council publishes each next year's schedule in November/December, which administrators import
(JSON or CSV) in the format ``parse_schedule`` reads.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from complaintdesk.core.errors import InvalidInput

# chinese_calendar's English names → the names Chinese users know.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

MAX_DAYS_PER_YEAR = 366


def bilingual(name: str) -> str:
    zh = HOLIDAY_NAMES_ZH.get(name)
    return f"{zh} {name}" if zh else name


def statutory_days() -> dict[date, tuple[str, str]]:
    """Every holiday and make-up workday ``chinese_calendar`` knows: date → (kind, bilingual name)."""
    import chinese_calendar

    out: dict[date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        out[day] = ("holiday", bilingual(str(name)))
    for day, name in chinese_calendar.workdays.items():
        out[day] = ("workday", bilingual(str(name)))
    return out


def statutory_years() -> list[int]:
    """Years ``chinese_calendar`` has data for (it raises for the others, e.g. 2027)."""
    import chinese_calendar

    years = []
    for year in range(2000, 2100):
        try:
            chinese_calendar.is_holiday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return years


@dataclass(frozen=True)
class ScheduleDay:
    date: date
    kind: str  # holiday | workday
    name: str


def _parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise InvalidInput("日期格式应为 YYYY-MM-DD / dates must be YYYY-MM-DD", details={where: "string expected"})
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(
            "日期格式应为 YYYY-MM-DD / dates must be YYYY-MM-DD", details={where: value[:40]}
        ) from exc


def _expand(start: date, end: date, where: str) -> list[date]:
    if end < start:
        raise InvalidInput("结束日期早于开始日期 / a range ends before it starts", details={where: f"{start}..{end}"})
    if (end - start).days >= 60:
        raise InvalidInput("假期区间过长 / a holiday range longer than 60 days", details={where: f"{start}..{end}"})
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_schedule(data: Any, *, year: int) -> list[ScheduleDay]:
    """The State Council's format as JSON: named ranges of holidays and their make-up workdays.

    ``{"year": 2027, "holidays": [{"name": "春节 Spring Festival", "start": "2027-02-05",
    "end": "2027-02-11", "workdays": ["2027-02-14"]}, ...]}``; ``end`` defaults to ``start``;
    ``workdays`` (调休上班) are named after their holiday. Every date must lie in ``year``.
    """
    if not isinstance(data, dict) or not isinstance(data.get("holidays"), list):
        raise InvalidInput(
            "格式应为 {year, holidays: [...]} / expected {year, holidays: [...]}", details={"holidays": "list expected"}
        )
    if data.get("year") is not None and data.get("year") != year:
        raise InvalidInput("年份不一致 / the file is for another year", details={"year": str(data.get("year"))[:10]})
    days: dict[date, ScheduleDay] = {}
    for i, item in enumerate(data["holidays"]):
        where = f"holidays.{i}"
        if not isinstance(item, dict):
            raise InvalidInput("每项应为对象 / each holiday must be an object", details={where: "object expected"})
        name = item.get("name", "")
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise InvalidInput("假期需要名称 / a holiday needs a name", details={where: "name"})
        start = _parse_date(item.get("start"), f"{where}.start")
        end = _parse_date(item.get("end"), f"{where}.end") if item.get("end") is not None else start
        workdays = item.get("workdays", [])
        if not isinstance(workdays, list):
            raise InvalidInput("workdays 应为列表 / workdays must be a list", details={f"{where}.workdays": "list"})
        entries = [ScheduleDay(d, "holiday", name.strip()) for d in _expand(start, end, where)]
        entries += [ScheduleDay(_parse_date(w, f"{where}.workdays"), "workday", name.strip()) for w in workdays]
        for entry in entries:
            if entry.date.year != year:
                raise InvalidInput(
                    f"日期不在{year}年 / a date outside {year}", details={where: entry.date.isoformat()}
                )
            if entry.date in days and days[entry.date].kind != entry.kind:
                raise InvalidInput(
                    "同一天既是假日又是工作日 / a date is both holiday and workday",
                    details={where: entry.date.isoformat()},
                )
            days[entry.date] = entry
    if len(days) > MAX_DAYS_PER_YEAR:
        raise InvalidInput("日期过多 / too many dates", details={"holidays": str(len(days))})
    return sorted(days.values(), key=lambda d: d.date)


def parse_schedule_csv(text: str, *, year: int) -> list[ScheduleDay]:
    """CSV with the header ``name,start,end,workdays`` (workdays separated by ``;`` or spaces)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"name", "start"} <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput(
            "CSV 表头应为 name,start,end,workdays / the CSV header must be name,start,end,workdays",
            details={"file": "header"},
        )
    holidays: list[dict[str, Any]] = []
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        if not any(row.values()):
            continue
        workdays = [w for w in row.get("workdays", "").replace(";", " ").replace(",", " ").split() if w]
        holidays.append(
            {"name": row.get("name", ""), "start": row.get("start", ""), "end": row.get("end") or None,
             "workdays": workdays}
        )
    return parse_schedule({"year": year, "holidays": holidays}, year=year)


def parse_upload(content: bytes, *, filename: str, year: int) -> list[ScheduleDay]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("文件须为 UTF-8 / the file must be UTF-8", details={"file": "encoding"}) from exc
    if filename.lower().endswith(".csv"):
        return parse_schedule_csv(text, year=year)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput("JSON 无法解析 / the JSON does not parse", details={"file": str(exc)[:100]}) from exc
    return parse_schedule(data, year=year)
