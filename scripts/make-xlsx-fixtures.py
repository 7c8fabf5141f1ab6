#!/usr/bin/env python3
"""Writes the workbooks the XLSX reader is tested with (Tests/HuifangCoreTests/Fixtures), as real offices make them:
one with openpyxl, and the same rows converted to .xlsx by LibreOffice (Debian's libreoffice-calc-nogui).

    python3 scripts/make-xlsx-fixtures.py
"""
import datetime
import os
import shutil
import subprocess
import tempfile

import openpyxl
from openpyxl.styles import Alignment

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "HuifangCoreTests", "Fixtures")


def customers_book():
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"  # an empty first sheet: the reader takes the first sheet that holds a cell
    hidden = book.create_sheet("隐藏")
    hidden["A1"] = "不应读取"
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("客户")
    sheet["A1"] = "会员名单（2026年11月）"  # a title merged across the columns, above the headings
    sheet.merge_cells("A1:F1")
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(["姓名", "手机", "会员编号", "等级", "生日", "最近到店"])
    sheet.append(["王芳", 13800138000, "000123", "金卡", datetime.date(1990, 3, 1),
                  datetime.datetime(2026, 11, 20, 14, 30)])
    sheet.append(["李娜", "13900139000", "000124", "普通", "1988-07-15", "2026-11-21 09:05"])
    sheet.append([])  # an empty row in the middle is left out
    sheet.append(["张伟", 13700137000.0, 125, "银卡", None, None])
    sheet["C5"].number_format = "@"
    for row in range(3, 7):
        sheet.cell(row=row, column=5).number_format = "yyyy/m/d"
        sheet.cell(row=row, column=6).number_format = "yyyy-mm-dd hh:mm"
    sheet.cell(row=20, column=1).number_format = "@"  # a formatted but empty trailing row
    return book


def calendar_book():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2027年节假日"
    sheet.append(["类型", "开始日期", "结束日期", "名称"])
    sheet.append(["放假", datetime.date(2027, 10, 1), datetime.date(2027, 10, 7), "国庆节"])
    sheet.append(["上班", datetime.date(2027, 9, 25), None, "国庆节"])
    sheet.append(["调休上班", "2027-10-09", None, "国庆节"])  # a date typed as text
    for row in range(2, 5):
        for column in (2, 3):
            sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    return book


def main():
    os.makedirs(OUT, exist_ok=True)
    book = customers_book()
    path = os.path.join(OUT, "customers-openpyxl.xlsx")
    book.save(path)
    calendar_book().save(os.path.join(OUT, "calendar-openpyxl.xlsx"))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as work:
        # LibreOffice reads the openpyxl workbook and writes it again as Excel 2007-365 would.
        subprocess.run([office, "--headless", "--convert-to", "ods", "--outdir", work, path], check=True,
                       capture_output=True)
        ods = os.path.join(work, "customers-openpyxl.ods")
        subprocess.run([office, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", work, ods],
                       check=True, capture_output=True)
        shutil.copy(os.path.join(work, "customers-openpyxl.xlsx"), os.path.join(OUT, "customers-libreoffice.xlsx"))


if __name__ == "__main__":
    main()
