"""Realistic messy spreadsheets for the import tests, made with our own code (XlsxWriter / csv)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import xlsxwriter

TITLE = "2024年客户投诉台账（旧系统导出）"
# (original id, name, phone, email, subject, description, status, category, product, created, closed, urgency)
MESSY_ROWS: list[tuple[Any, ...] | None] = [
    ("OLD-001", "王小明", "138-0013-8001", "wxm@example.com", "屏幕闪烁", "开机后屏幕闪烁严重，无法正常使用",
     "待处理", "功能故障", "A-100", datetime(2024, 3, 5, 14, 30), None, "高"),
    ("OLD-002", "李雷", "+86 139 0013 9002", "", "发货太慢", "下单一周还没有发货，客服也不回复",
     "已完结", "配送延迟", "a100", "2024/3/6", "2024年3月9日", "中"),
    None,  # a blank row
    ("OLD-003", "韩梅梅", "13800138000", "", "维修后同样故障", "维修后同样故障再次出现，要求换新",
     "处理中", "维修质量", "PH-001", 45357, None, "低"),
    ("OLD-004", "赵六", "13700137004", "", "客服态度差", "客服挂断电话", "挂起", "客服态度差", "", "2024-03-07 09:15",
     None, "中"),
    ("OLD-005", "孙七", "13700137005", "", "发票问题", "发票一直未开具", "已关闭", "发票问题", "", "2024-13-45", None,
     "中"),
    ("OLD-002", "李雷", "13900139002", "", "发货太慢（追加）", "第二次反馈：仍未发货", "已完结", "配送延迟", "A100",
     "2024/3/6", "2024年3月10日 18:00", "高"),
    ("OLD-006", "周八", "13700137006", "not-an-email", "包装破损", "收到时箱子被压扁", "已解决", "包装破损", "",
     "2024年3月8日", None, "低"),
    ("OLD-007", "吴九", "13700137007", "", "型号不对", "发错型号", "已受理", "错发漏发", "Z-999", "2024-03-09",
     None, "中"),
]
GROUP_HEADER = ["原工单号", "客户信息", "", "", "投诉标题", "问题描述", "状态", "投诉类别", "产品型号", "投诉日期",
                "结案时间", "紧急程度"]
SUB_HEADER = ["", "姓名", "联系电话", "邮箱", "", "", "", "", "", "", "", ""]
FLAT_HEADER = ["原工单号", "客户姓名", "联系电话", "邮箱", "投诉标题", "问题描述", "状态", "投诉类别", "产品型号",
               "投诉日期", "结案时间", "紧急程度"]


def messy_xlsx(rows: list[tuple[Any, ...] | None] | None = None) -> bytes:
    """A title row merged across the table, a blank row, a two-row header with merged cells
    (客户信息 over 姓名/联系电话/邮箱, the other names spanning both rows), mixed dates and blank rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("投诉台账")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.merge_range(0, 0, 0, len(GROUP_HEADER) - 1, TITLE)
    for c, name in enumerate(GROUP_HEADER):
        if c == 1:
            sheet.merge_range(2, 1, 2, 3, name)
        elif c in (2, 3):
            continue
        else:
            sheet.merge_range(2, c, 3, c, name)
    for c, name in enumerate(SUB_HEADER):
        if name:
            sheet.write_string(3, c, name)
    r = 4
    for row in MESSY_ROWS if rows is None else rows:
        if row is not None:
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
        r += 1
    book.close()
    return buffer.getvalue()


def messy_csv(encoding: str = "gbk", rows: list[tuple[Any, ...] | None] | None = None) -> bytes:
    """The same rows as a CSV in ``encoding`` (GBK by default) with a title line and blank lines."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([TITLE])
    writer.writerow([])
    writer.writerow(FLAT_HEADER)
    for row in MESSY_ROWS if rows is None else rows:
        if row is None:
            writer.writerow([])
            continue
        out = []
        for value in row:
            if isinstance(value, datetime):
                out.append(value.strftime("%Y-%m-%d %H:%M"))
            elif value is None:
                out.append("")
            else:
                out.append(str(value))
        writer.writerow(out)
    return text.getvalue().encode(encoding)
