"""The default complaint taxonomy seeded on a new installation (editable afterwards)."""

DEFAULT_CATEGORIES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("product_quality", "产品质量", "Product quality", [
        ("malfunction", "功能故障", "Malfunction"),
        ("appearance_defect", "外观瑕疵", "Appearance defect"),
        ("performance", "性能不达标", "Below specified performance"),
        ("workmanship", "材料与做工", "Materials and workmanship"),
    ]),
    ("logistics", "物流配送", "Logistics and delivery", [
        ("delivery_delay", "配送延迟", "Late delivery"),
        ("damaged_package", "包装破损", "Damaged package"),
        ("wrong_item", "错发漏发", "Wrong or missing item"),
        ("courier_attitude", "快递员态度", "Courier behaviour"),
    ]),
    ("service_attitude", "服务态度", "Service attitude", [
        ("agent_attitude", "客服态度差", "Rude agent"),
        ("slow_response", "响应不及时", "Slow response"),
        ("broken_promise", "承诺未兑现", "Broken promise"),
    ]),
    ("after_sales", "售后维修", "After-sales and repair", [
        ("repair_quality", "维修质量", "Repair quality"),
        ("repair_delay", "维修时效", "Repair turnaround"),
        ("return_exchange", "退换货", "Returns and exchanges"),
    ]),
    ("pricing", "价格收费", "Pricing and charges", [
        ("overcharge", "乱收费", "Unjustified charges"),
        ("price_fraud", "价格欺诈", "Price fraud"),
        ("invoice", "发票问题", "Invoice problems"),
    ]),
    ("false_advertising", "虚假宣传", "False advertising", [
        ("exaggeration", "夸大宣传", "Exaggerated claims"),
        ("gift_not_delivered", "赠品未兑现", "Promised gift not delivered"),
    ]),
    ("safety", "安全隐患", "Safety hazard", [
        ("injury", "人身伤害", "Personal injury"),
        ("fire_electric", "起火漏电", "Fire or electric shock"),
        ("food_safety", "食品安全", "Food safety"),
    ]),
    ("other", "其他", "Other", []),
]
