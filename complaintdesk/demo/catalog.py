"""The demo company: its departments, teams, product lines, products and the two batch problems.

A consumer-electronics maker with its own shops and online stores (brand names are invented).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    teams: tuple[str, ...]


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("service", "客服部", ("客服一组", "客服二组", "VIP专席")),
    DepartmentSpec("after_sales", "售后部", ("售后服务组",)),
    DepartmentSpec("tech", "技术部", ("技术支持组",)),
    DepartmentSpec("quality", "质量部", ()),
    DepartmentSpec("logistics", "物流部", ("物流协调组",)),
    DepartmentSpec("sales", "销售部", ("销售支持组",)),
)

# How many demo users of each role, and where they sit: (role, department code, team or "", count).
STAFF: tuple[tuple[str, str, str, int], ...] = (
    ("supervisor", "service", "", 2),
    ("agent", "service", "客服一组", 3),
    ("agent", "service", "客服二组", 3),
    ("agent", "service", "VIP专席", 2),
    ("handler", "after_sales", "售后服务组", 3),
    ("handler", "tech", "技术支持组", 2),
    ("handler", "logistics", "物流协调组", 2),
    ("handler", "sales", "销售支持组", 1),
    ("quality", "quality", "", 2),
    ("auditor", "quality", "", 1),
)


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    weight: float
    symptoms: tuple[str, ...] = ()  # what breaks (功能故障), on top of the line's
    shortfalls: tuple[str, ...] = ()  # below the promised performance (性能不达标), on top of the line's


@dataclass(frozen=True)
class LineSpec:
    code: str
    name: str
    weight: float
    products: tuple[ProductSpec, ...]
    symptoms: tuple[str, ...]  # shared by every product of the line
    shortfalls: tuple[str, ...]
    parts: tuple[str, ...]  # what a repair replaces


LINES: tuple[LineSpec, ...] = (
    LineSpec(
        "PH", "智能手机", 34,
        (
            ProductSpec("PH-X1-256", "星辰 X1 手机 256G", 3), ProductSpec("PH-X1P-512", "星辰 X1 Pro 手机 512G", 2.5),
            ProductSpec("PH-Y5-128", "星辰 Y5 手机 128G", 3), ProductSpec("PH-N12-256", "星辰 Note 12 手机 256G", 2),
        ),
        ("频繁自动重启", "充不进电", "屏幕闪烁", "触屏失灵", "信号经常断开", "摄像头无法对焦", "发热严重",
         "听筒没有声音", "无法开机", "连不上WiFi", "指纹识别失灵", "扬声器有杂音"),
        ("续航远低于宣传", "玩游戏严重卡顿掉帧", "快充速度远达不到宣传", "拍照夜景效果与宣传差距很大"),
        ("主板", "屏幕总成", "电池", "尾插排线", "摄像头模组", "扬声器"),
    ),
    LineSpec(
        "WR", "智能穿戴", 20,
        (
            ProductSpec("WR-B6-BLK", "星环手环 6", 3, ("心率数据明显不准", "屏幕不亮", "不记录步数"),
                        ("标称防水却进水了", "睡眠监测数据明显不准")),
            ProductSpec("WR-GT3-46", "星环手表 GT3", 2, ("心率数据明显不准", "屏幕触控失灵", "表冠按键失灵"),
                        ("标称防水却进水了", "GPS定位偏差很大")),
            ProductSpec("WR-EP-PRO", "星声 无线降噪耳机 Pro", 2.5, ("耳机单边无声", "降噪功能失效", "通话时对方听不清"),
                        ("降噪效果远不如宣传",)),
        ),
        ("无法连接手机蓝牙", "充不进电", "用着用着自动关机"),
        ("续航只有宣传的一半",),
        ("电池", "屏幕", "充电触点", "主板"),
    ),
    LineSpec(
        "HA", "家用电器", 20,
        (
            ProductSpec("HA-AP-P3", "净界 空气净化器 P3", 2, ("出风量很小", "遥控器失灵", "传感器读数一直不变"),
                        ("净化效果差，PM2.5读数降不下来",)),
            ProductSpec("HA-RV-S8", "清风 扫地机器人 S8", 2.5, ("回不了充电座", "边刷不转", "地图经常丢失"),
                        ("扫地不干净，漏扫严重",)),
            ProductSpec("HA-HT-H2", "暖居 电暖器 H2", 1.5, ("不发热", "遥控器失灵", "倾倒断电开关失灵"),
                        ("制热效果差，房间温度上不去",)),
            ProductSpec("HA-WM-10", "洁净 滚筒洗衣机 10kg", 2, ("脱水时剧烈晃动", "不进水", "门锁打不开"),
                        ("洗不干净，衣服上有洗衣液残留",)),
        ),
        ("无法开机", "运行时有明显异响", "显示屏报错E3", "APP无法连接设备", "运行一会就自动关机"),
        ("噪音远超标称值",),
        ("电源板", "电机", "传感器", "控制面板"),
    ),
    LineSpec(
        "KA", "厨房电器", 17,
        (
            ProductSpec("KA-RC-4L", "鲜煮 电饭煲 4L", 2.5, ("不加热", "煮饭夹生", "内胆涂层起皮"),
                        ("煮饭时间比说明书长一倍",)),
            ProductSpec("KA-KT-17", "速热 电热水壶 1.7L", 2, ("不加热", "底部漏水", "水开了不自动断电"),
                        ("烧水速度很慢",)),
            ProductSpec("KA-AF-5L", "酥脆 空气炸锅 5L", 2.5, ("不加热", "风扇不转", "定时器失灵"),
                        ("加热不均匀，外焦里生",)),
            ProductSpec("KA-BL-B6", "醇香 破壁机 B6", 1.5, ("电机转不动", "杯体漏水", "运行时噪音特别大"),
                        ("打出来的豆浆颗粒很粗",)),
        ),
        ("一插电就跳闸", "指示灯不亮", "按键失灵", "有烧焦味"),
        (),
        ("发热盘", "温控器", "电源板", "密封圈"),
    ),
    LineSpec(
        "AC", "配件", 9,
        (
            ProductSpec("AC-CH-65W", "65W 氮化镓快充充电器", 3, ("充电时发烫严重", "无法快充", "接触不良"),
                        ("充电功率达不到标称的65W",)),
            ProductSpec("AC-CB-C1M", "Type-C 数据线 1m", 2.5, ("用了几天就断了", "无法快充", "接口松动"),
                        ("传输速度远低于宣传",)),
            ProductSpec("AC-PB-20K", "20000mAh 移动电源", 2, ("充不进电", "充电时发烫严重", "指示灯乱闪"),
                        ("实际容量远低于标称",)),
            ProductSpec("AC-CS-X1", "星辰 X1 保护壳", 1.5, ("边缘开裂", "按键位置对不上"),
                        ("宣传的防摔效果根本没有",)),
        ),
        (),
        (),
        ("整机", "线材", "接口"),
    ),
)

# Products that cannot catch fire or leak current (a phone case).
NOT_ELECTRIC = {"AC-CS-X1"}

PRODUCT_LINE_OF: dict[str, LineSpec] = {p.sku: line for line in LINES for p in line.products}
PRODUCT_NAME: dict[str, str] = {p.sku: p.name for line in LINES for p in line.products}
PRODUCTS: dict[str, ProductSpec] = {p.sku: p for line in LINES for p in line.products}


def symptoms_of(sku: str) -> tuple[str, ...]:
    return PRODUCT_LINE_OF[sku].symptoms + PRODUCTS[sku].symptoms


def shortfalls_of(sku: str) -> tuple[str, ...]:
    return PRODUCT_LINE_OF[sku].shortfalls + PRODUCTS[sku].shortfalls


@dataclass(frozen=True)
class SpikeSpec:
    """A batch problem of one product: extra complaints over ``days`` starting ``start_days_ago``."""

    key: str
    sku: str
    share: float  # of all generated tickets
    start_days_ago: int
    days: int
    categories: tuple[tuple[str, float], ...]
    subjects: tuple[str, ...]
    details: tuple[str, ...]
    tag: str
    batch: str


SPIKES: tuple[SpikeSpec, ...] = (
    SpikeSpec(
        key="x1pro_screen", sku="PH-X1P-512", share=0.05, start_days_ago=150, days=16,
        categories=(("malfunction", 0.78), ("performance", 0.08), ("return_exchange", 0.14)),
        subjects=(
            "星辰 X1 Pro 升级系统后屏幕出现绿线", "X1 Pro 屏幕闪烁并出现竖条纹", "新买的 X1 Pro 屏幕出现绿线要求换机",
            "星辰 X1 Pro 屏幕绿线，是不是批量质量问题？", "X1 Pro 更新后屏幕一直闪，无法正常使用",
            "X1 Pro 屏幕出现绿线，售后说要等配件",
        ),
        details=(
            "前天晚上推送了系统更新，升级完成后屏幕右侧出现一条绿线，重启后依然存在。",
            "屏幕亮度调低时闪烁特别明显，还出现了好几条竖条纹，看视频根本没法看。",
            "网上看到很多人都是一样的问题，怀疑是这一批屏幕有缺陷。",
            "手机没有摔过也没有进水，刚买了不到一个月，屏幕就出现了绿线。",
        ),
        tag="屏幕绿线", batch="X1P-2406B",
    ),
    SpikeSpec(
        key="kettle_thermostat", sku="KA-KT-17", share=0.025, start_days_ago=58, days=11,
        categories=(("malfunction", 0.5), ("fire_electric", 0.35), ("injury", 0.15)),
        subjects=(
            "速热 电热水壶温控失灵，水烧干了还不断电", "电热水壶烧开后不自动断电，底座冒烟",
            "热水壶干烧不跳闸，差点引起火灾", "电热水壶开水溢出烫伤手", "速热水壶底座发黑有焦味",
        ),
        details=(
            "水烧开以后一直在沸腾，不会自动跳闸，家里老人差点忘关，底座都烧黑了。",
            "烧水时闻到很浓的焦糊味，拔掉插头发现插头和底座都很烫。",
            "水开了没有断电，开水从壶嘴溢出来，把手烫伤了，去医院处理花了几百元。",
            "说明书写的是防干烧设计，结果水烧干了还在加热，这是很严重的安全隐患。",
        ),
        tag="温控失灵", batch="KT17-2409A",
    ),
)

# Which department handles a category (leaf key) once the service desk has registered it.
ROUTING: dict[str, str] = {
    "malfunction": "tech", "performance": "tech", "appearance_defect": "after_sales", "workmanship": "after_sales",
    "delivery_delay": "logistics", "damaged_package": "logistics", "wrong_item": "logistics",
    "courier_attitude": "logistics",
    "agent_attitude": "service", "slow_response": "service", "broken_promise": "service",
    "repair_quality": "after_sales", "repair_delay": "after_sales", "return_exchange": "after_sales",
    "overcharge": "sales", "price_fraud": "sales", "invoice": "sales",
    "exaggeration": "sales", "gift_not_delivered": "sales",
    "injury": "tech", "fire_electric": "tech", "food_safety": "tech",
    "other": "service",
}
