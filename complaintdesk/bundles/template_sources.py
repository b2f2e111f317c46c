"""The sources of the shipped industry templates (电商, 制造业, 建筑工程, 汽车4S, 医疗器械).

Each template is written here as documents and turned into a bundle directory under
``complaintdesk/bundles/templates/<name>/`` by ``python -m complaintdesk.bundles.template_sources``
(the committed directories are what is imported; a test checks they are up to date and that each
imports cleanly into an empty instance and exports back to the same files).
Keys carry an industry prefix, so templates can be combined in one instance.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from complaintdesk.bundles.format import MANIFEST, Bundle

SHIPPED_BPMN = Path(__file__).resolve().parent.parent / "workflows" / "shipped"
TEMPLATE_CREATED = "2026-01-01T00:00:00+08:00"


def L(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def opt(value: str, zh: str, en: str) -> dict[str, Any]:
    return {"value": value, "label": L(zh, en)}


def fld(key: str, type_: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": L(zh, en), **extra}


def cat(key: str, name: str, name_en: str, parent: str | None = None, order: int = 0) -> dict[str, Any]:
    return {"key": key, "name": name, "name_en": name_en, "parent": parent, "sort_order": order, "is_active": True}


def dept(code: str, name: str, parent: str | None = None, order: int = 0) -> dict[str, Any]:
    return {"key": code, "code": code, "name": name, "parent": parent, "sort_order": order, "is_active": True}


def keywords(words: list[str]) -> dict[str, Any]:
    return {"any": [{"field": "subject", "op": "any_keyword", "value": words},
                    {"field": "description", "op": "any_keyword", "value": words}]}


def route_rule(name: str, words: list[str], department: str, category: str, order: int,
               description: str) -> dict[str, Any]:
    return {
        "key": name, "name": name, "description": description, "events": ["ticket.created"],
        "condition": {"all": [{"field": "department_id", "op": "is_empty"}, keywords(words)]},
        "actions": [{"type": "assign", "params": {"to": "department", "department": department,
                                                  "strategy": "least_loaded"}},
                    {"type": "set_category", "params": {"category": category}}],
        "order": order, "stop_after": False, "enabled": True,
    }


def rule(name: str, description: str, condition: dict[str, Any], actions: list[dict[str, Any]], order: int,
         stop_after: bool = False) -> dict[str, Any]:
    return {"key": name, "name": name, "description": description, "events": ["ticket.created"],
            "condition": condition, "actions": actions, "order": order, "stop_after": stop_after, "enabled": True}


def sla(name: str, description: str, categories: list[str], targets: dict[str, tuple[int, int]],
        order: int) -> dict[str, Any]:
    return {
        "key": name, "description": description,
        "condition": {"field": "category", "op": "in", "value": categories} if categories else None,
        "order": order, "is_active": True, "calendar": None,
        "targets": {p: {"first_response_minutes": fr, "resolution_minutes": res} for p, (fr, res) in targets.items()},
        "warning_fractions": [0.75, 0.9],
        "escalation": [{"level": 1, "after_minutes": 0, "to": "supervisor"},
                       {"level": 2, "after_minutes": 120, "to": "department_manager"}],
        "node_targets": {},
    }


def alert(name: str, description: str, grouping: str, categories: list[str], window_days: int,
          thresholds: tuple[float, float, float], department: str | None = None) -> dict[str, Any]:
    return {
        "key": name, "name": name, "description": description, "enabled": True,
        "scope": {"field": "category", "op": "in", "value": categories} if categories else None,
        "grouping": grouping, "window_days": window_days, "metric": "count", "baseline_windows": 4,
        "min_count": 0, "threshold_blue": thresholds[0], "threshold_yellow": thresholds[1],
        "threshold_red": thresholds[2], "owners": [], "auto_improvement": department is not None,
        "improvement_min_level": "red", "improvement_department": department, "improvement_owner": None,
        "improvement_due_days": 14,
    }


def template_doc(key: str, locale: str, subject: str, body: str, event: str = "ticket.created") -> dict[str, Any]:
    return {"key": f"{key}.any.{locale}", "template_key": key, "event": event, "channel_kind": "any",
            "locale": locale, "subject": subject, "body": body}


def form(key: str, name: str, name_en: str, description: str, category: str, fields: list[dict[str, Any]],
         sections: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    return {
        "key": key, "name": name, "name_en": name_en, "description": description, "category": category,
        "channels": ["web_form", "api", "phone", "wechat"], "is_public": False, "public_slug": None,
        "schema": {
            "settings": {"title": L(name, name_en)},
            "fields": fields,
            "layout": [{"type": "section", "title": L(zh, en), "children": children} for zh, en, children in sections],
        },
        "field_permissions": [],
    }


def process(key: str, name: str, name_en: str, description: str, source: str,
            renames: dict[str, str]) -> dict[str, Any]:
    """A shipped BPMN process under its own id and name, with some node names in the trade's words."""
    xml = (SHIPPED_BPMN / f"{source}.bpmn").read_text(encoding="utf-8")
    first = xml.index("<bpmn:process ")
    end = xml.index(">", first)
    head = xml[first:end]
    old_id = head.split('id="', 1)[1].split('"', 1)[0]
    old_name = head.split('name="', 1)[1].split('"', 1)[0]
    xml = xml.replace(f'id="{old_id}"', f'id="{key.replace("-", "_")}"', 1)
    xml = xml.replace(f'name="{old_name}"', f'name="{name}"', 1)
    xml = xml.replace(f'bpmnElement="{old_id}"', f'bpmnElement="{key.replace("-", "_")}"')
    for old, new in renames.items():
        xml = xml.replace(f'name="{old}"', f'name="{new}"')
    return {"key": key, "name": name, "name_en": name_en, "description": description, "is_active": True,
            "bpmn": xml}


CONTACT = [
    fld("contact_name", "text", "联系人", "Contact name", required=True, max_length=50),
    fld("contact_phone", "phone", "联系电话", "Phone", required=True),
]
DESCRIPTION = fld("description", "textarea", "问题描述", "Description", required=True, min_length=10,
                  max_length=5000)
PHOTOS = fld("photos", "images", "现场照片", "Photos", max_length=9)


# --- 电商 e-commerce ----------------------------------------------------------------------------------


def ecommerce() -> dict[str, Any]:
    cats = [
        cat("ec-logistics", "物流配送", "Logistics and delivery", order=10),
        cat("ec-logistics-delay", "配送延迟", "Late delivery", "ec-logistics", 11),
        cat("ec-logistics-lost", "丢件/破损", "Lost or damaged parcel", "ec-logistics", 12),
        cat("ec-product", "商品质量", "Product quality", order=20),
        cat("ec-product-fake", "假冒/描述不符", "Counterfeit or not as described", "ec-product", 21),
        cat("ec-product-defect", "质量缺陷", "Defect", "ec-product", 22),
        cat("ec-return", "退换货", "Returns and exchanges", order=30),
        cat("ec-refund", "退款", "Refunds", "ec-return", 31),
        cat("ec-exchange", "换货", "Exchanges", "ec-return", 32),
        cat("ec-service", "客服服务", "Customer service", order=40),
        cat("ec-promotion", "价格与促销", "Prices and promotions", order=50),
    ]
    depts = [dept("EC-CS", "电商客服中心", order=10), dept("EC-WH", "仓储物流部", order=20),
             dept("EC-QC", "商品品控部", order=30), dept("EC-FIN", "财务结算部", order=40),
             dept("EC-OPS", "运营活动部", order=50)]
    fields = [
        *CONTACT,
        fld("order_no", "order_number", "订单号", "Order number", required=True),
        fld("platform", "dropdown", "下单平台", "Platform", required=True, options=[
            opt("app", "自营App", "Own app"), opt("mini", "微信小程序", "WeChat mini program"),
            opt("tmall", "天猫旗舰店", "Tmall store"), opt("jd", "京东旗舰店", "JD store"),
            opt("douyin", "抖音小店", "Douyin shop")]),
        fld("tracking_no", "text", "物流单号", "Tracking number", max_length=40),
        fld("carrier", "dropdown", "快递公司", "Carrier", options=[
            opt("sf", "顺丰速运", "SF Express"), opt("zto", "中通快递", "ZTO"), opt("yto", "圆通速递", "YTO"),
            opt("jd", "京东物流", "JD Logistics"), opt("ems", "中国邮政EMS", "China Post EMS")]),
        fld("issue", "radio", "问题类型", "Issue", required=True, options=[
            opt("late", "未收到/延迟", "Not received / late"), opt("damaged", "破损", "Damaged"),
            opt("wrong", "错发漏发", "Wrong or missing item"), opt("quality", "质量问题", "Quality problem"),
            opt("other", "其他", "Other")]),
        fld("amount", "money", "订单金额", "Order amount", min=0),
        fld("remedy", "radio", "退换货诉求", "Return or exchange", required=True, options=[
            opt("refund_only", "仅退款", "Refund only"), opt("return_refund", "退货退款", "Return and refund"),
            opt("exchange", "换货", "Exchange"), opt("resend", "补发", "Resend")]),
        DESCRIPTION, PHOTOS,
    ]
    forms = [form("ec-order-complaint", "电商订单投诉", "E-commerce order complaint",
                  "订单、物流、退换货相关投诉；需填写订单号，物流问题请附物流单号。", "ec-return", fields,
                  [("联系人", "Contact", ["contact_name", "contact_phone"]),
                   ("订单与物流", "Order and delivery", ["order_no", "platform", "tracking_no", "carrier", "amount"]),
                   ("问题与诉求", "Problem and remedy", ["issue", "remedy", "description", "photos"])])]
    rules = [
        route_rule("电商：物流/快递/没收到 → 仓储物流部", ["物流", "快递", "没收到", "配送", "丢件"], "EC-WH",
                   "ec-logistics", 110, "物流相关的新投诉分派到仓储物流部并归入“物流配送”。"),
        route_rule("电商：假货/质量/破损 → 商品品控部", ["假货", "质量", "破损", "描述不符", "发霉"], "EC-QC",
                   "ec-product", 120, "商品质量相关投诉分派到商品品控部。"),
        route_rule("电商：退款/发票 → 财务结算部", ["退款", "没退钱", "发票", "扣款"], "EC-FIN", "ec-refund", 130,
                   "退款与发票问题分派到财务结算部。"),
        route_rule("电商：优惠券/价保/满减 → 运营活动部", ["优惠券", "价保", "满减", "降价", "促销"], "EC-OPS",
                   "ec-promotion", 140, "价格与促销争议分派到运营活动部。"),
        rule("电商：大额订单优先", "订单金额 ≥ 2000 元的投诉提为 P2。",
             {"field": "data.amount", "op": "gte", "value": 2000},
             [{"type": "set_priority", "params": {"priority": "P2"}}], 150),
        rule("电商：订单投诉走电商流程", "电商订单投诉启动“电商售后处理”流程。",
             {"field": "category", "op": "in", "value": ["ec-logistics", "ec-product", "ec-return"]},
             [{"type": "start_process", "params": {"process": "ec-after-sales"}}], 190),
    ]
    return {
        "name": "ecommerce", "title": "电商", "title_en": "E-commerce",
        "description": "网店/平台商家：订单、物流、退换货、退款、促销投诉的分类、表单、关键词路由、时效与预警。",
        "description_en": "Online shops: categories, an order complaint form, keyword routing, SLAs and alerts for "
                          "orders, delivery, returns, refunds and promotions.",
        "categories": cats, "departments": depts, "forms": forms, "rules": rules,
        "teams": [{"key": "电商售后一组", "department": "EC-CS", "is_active": True}],
        "processes": [process("ec-after-sales", "电商售后处理", "E-commerce after-sales",
                              "受理→分派→处理→审核→答复→回访",
                              "standard_complaint", {"处理": "售后处理", "回访": "满意度回访"})],
        "sla_policies": [
            sla("电商 物流与退款时效", "物流和退款问题：首响 30 分钟，24 小时内解决（P3）。",
                ["ec-logistics", "ec-return"], {"P1": (10, 120), "P2": (20, 480), "P3": (30, 1440),
                                                "P4": (60, 2880)}, 200),
        ],
        "alert_rules": [alert("电商 物流投诉7天预警", "同一分类物流投诉 7 天内 ≥10 蓝、≥20 黄、≥40 红。", "category",
                              ["ec-logistics"], 7, (10, 20, 40))],
        "notification_templates": [
            template_doc("ec_ack", "zh-CN", "您的订单投诉已受理（{{ ticket.number }}）",
                         "{{ ticket.customer_name|default:'顾客' }}您好：\n\n我们已收到您关于订单的反馈，工单号 "
                         "{{ ticket.number }}。退款类问题将在 1 个工作日内处理，请留意原支付渠道到账。\n"),
            template_doc("ec_ack", "en", "Your order complaint {{ ticket.number }} was received",
                         "Hello {{ ticket.customer_name|default:'customer' }},\n\nWe received your feedback about "
                         "your order ({{ ticket.number }}). Refunds are handled within one working day.\n"),
        ],
    }


# --- 制造业 manufacturing -----------------------------------------------------------------------------


def manufacturing() -> dict[str, Any]:
    cats = [
        cat("mf-quality", "产品质量", "Product quality", order=10),
        cat("mf-dimension", "尺寸超差", "Out of tolerance", "mf-quality", 11),
        cat("mf-appearance", "外观缺陷", "Cosmetic defect", "mf-quality", 12),
        cat("mf-function", "功能失效", "Functional failure", "mf-quality", 13),
        cat("mf-material", "材料问题", "Material problem", "mf-quality", 14),
        cat("mf-delivery", "交付问题", "Delivery", order=20),
        cat("mf-short", "数量短缺/错料", "Short or wrong shipment", "mf-delivery", 21),
        cat("mf-late", "交期延误", "Late delivery", "mf-delivery", 22),
        cat("mf-packaging", "包装与标识", "Packaging and labelling", order=30),
        cat("mf-document", "质量文件", "Quality documents (CoC, reports)", order=40),
    ]
    depts = [dept("MF-QA", "质量管理部", order=10), dept("MF-QE", "质量工程科", "MF-QA", 11),
             dept("MF-PROD", "生产制造部", order=20), dept("MF-SCM", "供应链与物流部", order=30),
             dept("MF-SALES", "销售服务部", order=40)]
    fields = [
        *CONTACT,
        fld("customer_company", "text", "客户单位", "Customer company", required=True, max_length=100),
        fld("part_no", "text", "物料/零件号", "Part number", required=True, max_length=40),
        fld("batch_no", "text", "生产批次", "Batch", required=True, regex="[A-Za-z0-9][A-Za-z0-9-]{3,31}",
            help=L("见外箱标签或随货合格证", "On the carton label or the certificate of conformity")),
        fld("quantity_affected", "integer", "不良数量", "Defective quantity", required=True, min=1),
        fld("quantity_delivered", "integer", "交货数量", "Delivered quantity", min=1),
        fld("defect_rate", "formula", "不良率(%)", "Defect rate (%)",
            formula="IF(OR(ISBLANK({quantity_delivered}), {quantity_delivered}=0), 0, "
                    "ROUND({quantity_affected}/{quantity_delivered}*100, 2))", config={"result_type": "number"}),
        fld("defect_type", "dropdown", "缺陷类型", "Defect type", required=True, options=[
            opt("dimension", "尺寸超差", "Out of tolerance"), opt("appearance", "外观（划伤、毛刺、色差）",
                                                               "Cosmetic (scratch, burr, colour)"),
            opt("function", "功能/性能失效", "Function / performance"), opt("material", "材料不符", "Wrong material"),
            opt("mixed", "混料/错料", "Mixed or wrong parts"), opt("packaging", "包装破损/标识错误",
                                                              "Packaging or label")]),
        fld("found_at", "radio", "发现环节", "Found at", required=True, options=[
            opt("incoming", "来料检验", "Incoming inspection"), opt("line", "产线装配", "On the line"),
            opt("field", "终端市场", "In the field")]),
        fld("need_8d", "switch", "要求8D报告", "8D report required"),
        fld("d8_due", "date", "8D报告要求日期", "8D report due", required=True,
            visible_when={"field": "need_8d", "op": "eq", "value": True}),
        DESCRIPTION, PHOTOS,
    ]
    forms = [form("mf-quality-complaint", "客户质量投诉（8D）", "Customer quality complaint (8D)",
                  "B2B 客户的来料/产线/市场质量问题，需提供物料号与批次，必要时要求 8D 报告。", "mf-quality", fields,
                  [("客户", "Customer", ["contact_name", "contact_phone", "customer_company"]),
                   ("物料与批次", "Part and batch", ["part_no", "batch_no", "quantity_delivered", "quantity_affected",
                                                    "defect_rate"]),
                   ("缺陷", "Defect", ["defect_type", "found_at", "need_8d", "d8_due", "description", "photos"])])]
    rules = [
        route_rule("制造：尺寸/毛刺/划伤/失效 → 质量工程科", ["尺寸", "超差", "毛刺", "划伤", "失效", "断裂", "批次"],
                   "MF-QE", "mf-quality", 110, "质量缺陷分派到质量工程科并归入“产品质量”。"),
        route_rule("制造：少货/错料/交期 → 供应链与物流部", ["少货", "错料", "混料", "交期", "延误", "发货"],
                   "MF-SCM", "mf-delivery", 120, "交付问题分派到供应链与物流部。"),
        route_rule("制造：合格证/检验报告 → 质量管理部", ["合格证", "检验报告", "COC", "材质证明"], "MF-QA",
                   "mf-document", 130, "质量文件问题分派到质量管理部。"),
        rule("制造：要求8D的投诉走8D流程", "客户要求 8D 报告时启动“客户质量投诉8D”流程。",
             {"field": "data.need_8d", "op": "eq", "value": True},
             [{"type": "start_process", "params": {"process": "mf-8d"}},
              {"type": "add_tags", "params": {"tags": ["8D"]}}], 150),
        rule("制造：不良率≥5% 提为P1", "批量性质量问题（不良率 ≥ 5%）提为 P1。",
             {"field": "data.defect_rate", "op": "gte", "value": 5},
             [{"type": "set_priority", "params": {"priority": "P1"}},
              {"type": "add_tags", "params": {"tags": ["批量问题"]}}], 160),
    ]
    return {
        "name": "manufacturing", "title": "制造业", "title_en": "Manufacturing",
        "description": "零部件/设备制造商的客户质量投诉：批次追溯、缺陷类型、不良率、8D 流程与批量问题预警。",
        "description_en": "Customer quality complaints for parts and equipment makers: batch traceability, defect "
                          "types, defect rate, the 8D process and batch-problem alerts.",
        "categories": cats, "departments": depts, "forms": forms, "rules": rules,
        "teams": [{"key": "客户质量组", "department": "MF-QE", "is_active": True}],
        "processes": [process("mf-8d", "客户质量投诉8D", "Customer quality complaint (8D)",
                              "D1 组建团队 … D8 总结，按 8D 方法闭环客户质量问题", "capa_8d", {})],
        "sla_policies": [
            sla("制造 客户质量投诉", "质量投诉：24 小时内回复临时措施（D3），P2 5 个工作日出 8D。", ["mf-quality"],
                {"P1": (60, 1440), "P2": (240, 2400), "P3": (480, 4800), "P4": (960, 9600)}, 200),
            sla("制造 交付问题", "交付问题：首响 2 小时，2 个工作日解决。", ["mf-delivery"],
                {"P1": (30, 480), "P2": (60, 960), "P3": (120, 960), "P4": (240, 1920)}, 210),
        ],
        "alert_rules": [alert("制造 同一产品质量投诉30天预警",
                              "同一产品 30 天内质量投诉 ≥3 蓝、≥5 黄、≥8 红；红色自动立整改。",
                              "product", ["mf-quality"], 30, (3, 5, 8), department="MF-QA")],
        "notification_templates": [
            template_doc("mf_ack", "zh-CN", "质量投诉已受理（{{ ticket.number }}）",
                         "尊敬的客户：\n\n贵司反馈的质量问题已登记，工单号 {{ ticket.number }}。我们将在 24 小时内提供"
                         "围堵措施（D3），并按要求提交 8D 报告。\n"),
            template_doc("mf_ack", "en", "Quality complaint {{ ticket.number }} received",
                         "Dear customer,\n\nYour quality complaint is registered as {{ ticket.number }}. Containment "
                         "actions (D3) follow within 24 hours and the 8D report as requested.\n"),
        ],
    }


# --- 建筑工程 construction --------------------------------------------------------------------------


def construction() -> dict[str, Any]:
    cats = [
        cat("cn-leak", "渗漏", "Leaks", order=10),
        cat("cn-leak-roof", "屋面/外墙渗漏", "Roof or facade leak", "cn-leak", 11),
        cat("cn-leak-bath", "卫生间/厨房渗漏", "Bathroom or kitchen leak", "cn-leak", 12),
        cat("cn-crack", "墙体开裂/空鼓", "Cracks and hollow plaster", order=20),
        cat("cn-mep", "水电暖通", "Plumbing, electrical, HVAC", order=30),
        cat("cn-doors", "门窗", "Doors and windows", order=40),
        cat("cn-finish", "装修质量", "Finishing quality", order=50),
        cat("cn-public", "公共部位与配套", "Common areas and facilities", order=60),
        cat("cn-handover", "交付与验收", "Handover and acceptance", order=70),
    ]
    depts = [dept("CN-CS", "客户关系中心", order=10), dept("CN-MAINT", "工程维修部", order=20),
             dept("CN-MEP", "机电安装部", "CN-MAINT", 21), dept("CN-QS", "质量安全部", order=30),
             dept("CN-PM", "项目管理部", order=40)]
    fields = [
        *CONTACT,
        fld("project", "text", "项目名称", "Project", required=True, max_length=100),
        fld("building", "text", "楼栋", "Building", required=True, max_length=20),
        fld("unit", "text", "单元", "Entrance", max_length=20),
        fld("room", "text", "房号", "Flat number", required=True, max_length=20),
        fld("handover_date", "date", "交房日期", "Handover date", required=True, max="today"),
        fld("warranty_years", "dropdown", "质保期", "Warranty period", required=True, options=[
            opt("2", "2年（装修、设备、管线）", "2 years (finishing, equipment, pipes)"),
            opt("5", "5年（防水、外墙）", "5 years (waterproofing, facade)"),
            opt("50", "设计使用年限（主体结构）", "Design life (structure)")]),
        fld("years_since_handover", "formula", "已交付年数", "Years since handover",
            formula="IF(ISBLANK({handover_date}), 0, DATEDIF({handover_date}, TODAY(), \"y\"))",
            config={"result_type": "integer"}),
        fld("location", "checkboxes", "问题部位", "Where", required=True, options=[
            opt("roof", "屋面", "Roof"), opt("wall", "外墙", "Facade"), opt("bath", "卫生间", "Bathroom"),
            opt("kitchen", "厨房", "Kitchen"), opt("window", "门窗", "Doors / windows"),
            opt("floor", "地面", "Floor"), opt("public", "公共部位", "Common area")]),
        fld("safety", "switch", "涉及安全（结构、燃气、漏电）", "Safety issue (structure, gas, electricity)"),
        fld("visit_time", "datetime", "方便上门时间", "Preferred visit time"),
        DESCRIPTION, PHOTOS,
    ]
    forms = [form("cn-repair-request", "房屋质量报修/投诉", "Home defect report",
                  "业主房屋质量问题报修与投诉：项目、楼栋、房号、质保期，便于派工与质保判定。", "cn-leak", fields,
                  [("业主", "Owner", ["contact_name", "contact_phone"]),
                   ("房屋", "Home", ["project", "building", "unit", "room", "handover_date", "warranty_years",
                                     "years_since_handover"]),
                   ("问题", "Problem", ["location", "safety", "visit_time", "description", "photos"])])]
    rules = [
        route_rule("建筑：漏水/渗水/返潮 → 工程维修部", ["漏水", "渗水", "渗漏", "返潮", "霉"], "CN-MAINT", "cn-leak",
                   110, "渗漏问题分派到工程维修部。"),
        route_rule("建筑：开裂/空鼓/沉降 → 质量安全部", ["开裂", "裂缝", "空鼓", "沉降", "脱落"], "CN-QS", "cn-crack",
                   120, "墙体开裂、空鼓、沉降分派到质量安全部。"),
        route_rule("建筑：停电/跳闸/水压/地暖 → 机电安装部", ["跳闸", "停电", "水压", "地暖", "下水", "堵塞"], "CN-MEP",
                   "cn-mep", 130, "水电暖通问题分派到机电安装部。"),
        rule("建筑：涉及安全的报修为P1", "业主勾选“涉及安全”时提为 P1 并加标签。",
             {"field": "data.safety", "op": "eq", "value": True},
             [{"type": "set_priority", "params": {"priority": "P1"}},
              {"type": "add_tags", "params": {"tags": ["安全隐患"]}}], 140),
        rule("建筑：报修走维修流程", "房屋报修启动“房屋维修处理”流程。",
             {"field": "category", "op": "in", "value": ["cn-leak", "cn-crack", "cn-mep", "cn-doors", "cn-finish",
                                                          "cn-public", "cn-handover"]},
             [{"type": "start_process", "params": {"process": "cn-repair"}}], 190),
    ]
    return {
        "name": "construction", "title": "建筑工程", "title_en": "Construction",
        "description": "房地产与建筑企业的业主报修与投诉：项目/楼栋/房号、质保期判定、渗漏开裂等专业分派与维修时效。",
        "description_en": "Home-owner defect reports for builders and developers: project / building / flat, warranty "
                          "periods, routing of leaks and cracks, repair deadlines.",
        "categories": cats, "departments": depts, "forms": forms, "rules": rules,
        "teams": [{"key": "维修一班", "department": "CN-MAINT", "is_active": True}],
        "processes": [process("cn-repair", "房屋维修处理", "Home repair", "受理→派工→维修→复核→答复→回访",
                              "standard_complaint", {"分派": "派工", "处理": "上门维修", "审核": "维修复核"})],
        "sla_policies": [
            sla("建筑 渗漏与安全", "渗漏：4 小时响应、3 个工作日修复；安全问题 P1 1 小时响应。",
                ["cn-leak", "cn-crack"], {"P1": (60, 480), "P2": (120, 1440), "P3": (240, 1440), "P4": (480, 4320)},
                200),
        ],
        "alert_rules": [alert("建筑 同一项目渗漏投诉预警", "渗漏投诉 14 天内 ≥5 蓝、≥10 黄、≥20 红。", "category",
                              ["cn-leak"], 14, (5, 10, 20), department="CN-QS")],
        "notification_templates": [
            template_doc("cn_ack", "zh-CN", "报修已受理（{{ ticket.number }}）",
                         "尊敬的业主：\n\n您的报修已受理，工单号 {{ ticket.number }}。维修人员将与您预约上门时间；"
                         "质保期外的维修将提前告知费用。\n"),
            template_doc("cn_ack", "en", "Repair request {{ ticket.number }} received",
                         "Dear owner,\n\nYour repair request is registered as {{ ticket.number }}. A technician will "
                         "call to book a visit; repairs outside the warranty are quoted first.\n"),
        ],
    }


# --- 汽车4S auto dealers -----------------------------------------------------------------------------


def auto_dealer() -> dict[str, Any]:
    cats = [
        cat("au-sales", "销售服务", "Sales", order=10),
        cat("au-sales-delivery", "交车与手续", "Delivery and paperwork", "au-sales", 11),
        cat("au-sales-finance", "金融保险", "Finance and insurance", "au-sales", 12),
        cat("au-service", "售后维修", "After-sales service", order=20),
        cat("au-service-repeat", "重复维修/未修好", "Repeat repair / not fixed", "au-service", 21),
        cat("au-service-price", "维修收费", "Repair charges", "au-service", 22),
        cat("au-service-time", "维修时长", "Repair time", "au-service", 23),
        cat("au-quality", "车辆质量", "Vehicle quality", order=30),
        cat("au-quality-powertrain", "发动机/变速箱", "Engine / gearbox", "au-quality", 31),
        cat("au-quality-electric", "电气/三电系统", "Electrics / EV system", "au-quality", 32),
        cat("au-attitude", "服务态度", "Staff attitude", order=40),
    ]
    depts = [dept("AU-CR", "客户关系部", order=10), dept("AU-SALES", "销售部", order=20),
             dept("AU-SVC", "售后服务部", order=30), dept("AU-WS", "维修车间", "AU-SVC", 31),
             dept("AU-TECH", "技术支持", "AU-SVC", 32)]
    fields = [
        *CONTACT,
        fld("vin", "text", "车架号（VIN）", "VIN", required=True, regex="[A-HJ-NPR-Z0-9]{17}",
            help=L("17位，见行驶证或前挡风玻璃左下角", "17 characters, on the registration or the windscreen")),
        fld("plate", "text", "车牌号", "Plate number", max_length=10),
        fld("model", "text", "车型", "Model", required=True, max_length=50),
        fld("mileage", "integer", "行驶里程（公里）", "Mileage (km)", required=True, min=0, max=2000000),
        fld("purchase_date", "date", "购车日期", "Purchase date", max="today"),
        fld("warranty", "formula", "在整车质保内（3年/10万公里）", "Under warranty (3 years / 100,000 km)",
            formula="AND(NOT(ISBLANK({purchase_date})), DATEDIF({purchase_date}, TODAY(), \"d\") <= 1095, "
                    "{mileage} <= 100000)", config={"result_type": "boolean"}),
        fld("ro_number", "text", "维修工单号", "Repair order number", max_length=30),
        fld("visits", "integer", "同一问题进店次数", "Visits for the same problem", min=0, max=99),
        fld("complaint_type", "radio", "投诉类型", "Complaint type", required=True, options=[
            opt("sales", "销售", "Sales"), opt("repair", "维修保养", "Repair / maintenance"),
            opt("quality", "车辆质量", "Vehicle quality"), opt("attitude", "服务态度", "Attitude")]),
        DESCRIPTION, PHOTOS,
    ]
    forms = [form("au-dealer-complaint", "4S店客户投诉", "Dealer customer complaint",
                  "销售与售后投诉：VIN、里程、维修工单号，自动判断是否在整车质保期内。", "au-service", fields,
                  [("车主", "Owner", ["contact_name", "contact_phone"]),
                   ("车辆", "Vehicle", ["vin", "plate", "model", "mileage", "purchase_date", "warranty"]),
                   ("投诉", "Complaint", ["complaint_type", "ro_number", "visits", "description", "photos"])])]
    rules = [
        route_rule("4S：异响/故障灯/抖动 → 技术支持", ["异响", "故障灯", "抖动", "熄火", "漏油", "变速箱"], "AU-TECH",
                   "au-quality", 110, "车辆故障类投诉分派到技术支持。"),
        route_rule("4S：维修费/工时/配件价 → 售后服务部", ["收费", "工时费", "配件", "保养", "维修费"], "AU-SVC",
                   "au-service-price", 120, "维修收费问题分派到售后服务部。"),
        route_rule("4S：交车/合格证/上牌/贷款 → 销售部", ["交车", "合格证", "上牌", "贷款", "加价", "精品"], "AU-SALES",
                   "au-sales", 130, "销售与手续问题分派到销售部。"),
        rule("4S：同一问题进店≥3次 提为P1", "三包相关：同一问题维修 ≥3 次提为 P1 并加“三包风险”标签。",
             {"field": "data.visits", "op": "gte", "value": 3},
             [{"type": "set_priority", "params": {"priority": "P1"}},
              {"type": "add_tags", "params": {"tags": ["三包风险"]}}], 140),
        rule("4S：投诉走4S处理流程", "4S 店投诉启动“4S店投诉处理”流程。",
             {"field": "category", "op": "in", "value": ["au-sales", "au-service", "au-quality", "au-attitude"]},
             [{"type": "start_process", "params": {"process": "au-complaint"}}], 190),
    ]
    return {
        "name": "auto_dealer", "title": "汽车4S", "title_en": "Auto dealers",
        "description": "汽车 4S 店销售与售后投诉：VIN、里程、维修工单号、三包风险识别、车间与技术支持分派。",
        "description_en": "Car dealer sales and service complaints: VIN, mileage, repair orders, lemon-law risk, "
                          "routing to the workshop and technical support.",
        "categories": cats, "departments": depts, "forms": forms, "rules": rules,
        "teams": [{"key": "服务顾问组", "department": "AU-SVC", "is_active": True}],
        "processes": [process("au-complaint", "4S店投诉处理", "Dealer complaint handling",
                              "受理→分派→处理→审核→答复→回访（厂家考核回访率）", "standard_complaint",
                              {"处理": "诊断与处理", "回访": "厂家标准回访"})],
        "sla_policies": [
            sla("4S 车辆质量与重复维修", "车辆质量：1 小时响应，3 个工作日给出方案。", ["au-quality", "au-service"],
                {"P1": (30, 480), "P2": (60, 1440), "P3": (120, 1440), "P4": (240, 2880)}, 200),
        ],
        "alert_rules": [alert("4S 车辆质量投诉预警", "同一车型质量投诉 30 天 ≥3 蓝、≥6 黄、≥10 红。", "product",
                              ["au-quality"], 30, (3, 6, 10), department="AU-TECH")],
        "notification_templates": [
            template_doc("au_ack", "zh-CN", "您的投诉已受理（{{ ticket.number }}）",
                         "尊敬的车主：\n\n您的反馈已登记，工单号 {{ ticket.number }}。"
                         "服务经理将在 1 小时内与您联系。\n"),
            template_doc("au_ack", "en", "Your complaint {{ ticket.number }} was received",
                         "Dear owner,\n\nYour feedback is registered as {{ ticket.number }}. The service manager will "
                         "call you within one hour.\n"),
        ],
    }


# --- 医疗器械 medical devices ------------------------------------------------------------------------


def medical_devices() -> dict[str, Any]:
    cats = [
        cat("md-adverse", "可疑不良事件", "Suspected adverse event", order=10),
        cat("md-adverse-serious", "严重伤害/死亡", "Serious injury or death", "md-adverse", 11),
        cat("md-adverse-general", "一般不良事件", "Other adverse event", "md-adverse", 12),
        cat("md-quality", "产品质量", "Product quality", order=20),
        cat("md-malfunction", "故障/性能不符", "Malfunction / performance", "md-quality", 21),
        cat("md-sterile", "无菌/包装破损", "Sterility / damaged packaging", "md-quality", 22),
        cat("md-label", "标签与说明书", "Labelling and IFU", "md-quality", 23),
        cat("md-service", "安装维修与培训", "Installation, service, training", order=30),
        cat("md-delivery", "配送与效期", "Delivery and expiry", order=40),
    ]
    depts = [dept("MD-QA", "质量保证部", order=10), dept("MD-PV", "不良事件监测组", "MD-QA", 11),
             dept("MD-RA", "注册法规部", order=20), dept("MD-SVC", "技术服务部", order=30),
             dept("MD-SCM", "物流与仓储部", order=40)]
    fields = [
        *CONTACT,
        fld("institution", "text", "医疗机构/经销商", "Hospital or distributor", required=True, max_length=100),
        fld("product_name", "text", "产品名称", "Product", required=True, max_length=100),
        fld("udi", "text", "UDI（产品标识）", "UDI", max_length=80,
            help=L("包装上的 UDI-DI/PI，如 (01)06901234567892(17)270101(10)LOT123", "UDI-DI/PI on the package")),
        fld("lot_no", "text", "产品批号", "Lot number", required=True, max_length=40),
        fld("expiry_date", "date", "失效日期", "Expiry date"),
        fld("event_date", "date", "事件发生日期", "Event date", required=True, max="today"),
        fld("adverse_event", "switch", "是否为可疑不良事件", "Suspected adverse event"),
        fld("injury", "radio", "是否涉及人身伤害", "Injury to a person", required=True, options=[
            opt("none", "未涉及", "No"), opt("minor", "轻微伤害", "Minor injury"),
            opt("serious", "严重伤害", "Serious injury"), opt("death", "死亡", "Death")]),
        fld("patient_outcome", "textarea", "患者情况与处置", "Patient outcome and treatment", required=True,
            max_length=2000, visible_when={"field": "injury", "op": "in", "value": ["minor", "serious", "death"]}),
        fld("sample_available", "switch", "可提供样品", "Sample available for investigation"),
        DESCRIPTION, PHOTOS,
    ]
    forms = [form("md-complaint", "医疗器械投诉与不良事件", "Medical device complaint and adverse event",
                  "医疗器械质量投诉与可疑不良事件：UDI、批号、是否涉及人身伤害，严重事件按法规时限上报。",
                  "md-quality", fields,
                  [("报告人", "Reporter", ["contact_name", "contact_phone", "institution"]),
                   ("产品", "Product", ["product_name", "udi", "lot_no", "expiry_date", "sample_available"]),
                   ("事件", "Event", ["event_date", "adverse_event", "injury", "patient_outcome", "description",
                                      "photos"])])]
    rules = [
        rule("医械：严重伤害或死亡 → 不良事件监测组（P1）",
             "涉及严重伤害或死亡：P1、归入“严重伤害/死亡”，按法规时限上报。",
             {"field": "data.injury", "op": "in", "value": ["serious", "death"]},
             [{"type": "set_priority", "params": {"priority": "P1"}},
              {"type": "set_category", "params": {"category": "md-adverse-serious"}},
              {"type": "assign", "params": {"to": "department", "department": "MD-PV"}},
              {"type": "add_tags", "params": {"tags": ["需上报", "不良事件"]}}], 100, stop_after=False),
        route_rule("医械：故障/报警/读数不准 → 技术服务部", ["故障", "报警", "读数", "不准", "黑屏", "无法开机"],
                   "MD-SVC", "md-malfunction", 120, "设备故障类投诉分派到技术服务部。"),
        route_rule("医械：包装破损/无菌/异物 → 质量保证部", ["破损", "无菌", "异物", "漏气", "污染"], "MD-QA",
                   "md-sterile", 130, "无菌与包装问题分派到质量保证部。"),
        route_rule("医械：说明书/标签/注册证 → 注册法规部", ["说明书", "标签", "注册证", "UDI"], "MD-RA",
                   "md-label", 140,
                   "标签与说明书问题分派到注册法规部。"),
        rule("医械：投诉走质量会签流程", "医疗器械投诉启动“医疗器械投诉调查”会签流程。",
             {"field": "category", "op": "in", "value": ["md-adverse", "md-quality", "md-service", "md-delivery"]},
             [{"type": "start_process", "params": {"process": "md-investigation"}}], 190),
    ]
    return {
        "name": "medical_devices", "title": "医疗器械", "title_en": "Medical devices",
        "description": "医疗器械企业的投诉与可疑不良事件：UDI/批号追溯、人身伤害判定、严重事件上报时限、质量会签调查。",
        "description_en": "Complaints and suspected adverse events for device makers: UDI / lot traceability, injury "
                          "assessment, reporting deadlines for serious events, countersigned investigations.",
        "categories": cats, "departments": depts, "forms": forms, "rules": rules,
        "teams": [{"key": "投诉处理专员组", "department": "MD-QA", "is_active": True}],
        "processes": [process("md-investigation", "医疗器械投诉调查", "Medical device complaint investigation",
                              "质量、注册、技术会签调查，结论经质量负责人批准", "quality_countersign", {})],
        "sla_policies": [
            sla("医械 严重不良事件", "严重伤害/死亡：1 小时响应；法规要求的上报时限内（按自然日）完成调查。",
                ["md-adverse-serious"], {"P1": (60, 1440), "P2": (60, 2880), "P3": (120, 4320), "P4": (120, 4320)},
                100),
            sla("医械 质量投诉", "一般质量投诉：4 小时响应，10 个工作日完成调查。", ["md-quality", "md-adverse"],
                {"P1": (60, 2400), "P2": (120, 4800), "P3": (240, 4800), "P4": (480, 9600)}, 200),
        ],
        "alert_rules": [alert("医械 同一产品不良事件预警",
                              "同一产品 30 天内可疑不良事件 ≥1 蓝、≥2 黄、≥3 红；红色自动立 CAPA。",
                              "product", ["md-adverse"], 30, (1, 2, 3), department="MD-QA")],
        "notification_templates": [
            template_doc("md_ack", "zh-CN", "投诉已受理（{{ ticket.number }}）",
                         "您好：\n\n您报告的问题已登记，编号 {{ ticket.number }}。如涉及人身伤害，请保留产品及包装，"
                         "我们的不良事件监测人员将尽快联系您。\n"),
            template_doc("md_ack", "en", "Complaint {{ ticket.number }} received",
                         "Hello,\n\nYour report is registered as {{ ticket.number }}. If a person was harmed, please "
                         "keep the device and its package: our vigilance team will contact you shortly.\n"),
        ],
    }


TEMPLATES = (ecommerce, manufacturing, construction, auto_dealer, medical_devices)
TEMPLATE_KINDS = ("departments", "teams", "categories", "notification_templates", "processes", "sla_policies",
                  "forms", "rules", "alert_rules")


def build(source: dict[str, Any]) -> Bundle:
    """The bundle of one template (documents normalised as an export would write them)."""
    from complaintdesk.bundles.actions import documents_to_files, manifest_for
    from complaintdesk.bundles.kinds import KIND_BY_NAME

    kinds = [k for k in KIND_BY_NAME if k in TEMPLATE_KINDS]
    docs = {k: {d["key"]: KIND_BY_NAME[k].normalise(d) for d in source[k]} for k in kinds}
    files = documents_to_files(docs)
    files[MANIFEST] = manifest_for(files, kinds, created=TEMPLATE_CREATED, extra={"template": {
        "title": source["title"], "title_en": source["title_en"], "description": source["description"],
        "description_en": source["description_en"]}})
    return Bundle(files=files)


def write_all(root: Path) -> list[str]:
    import shutil

    from complaintdesk.bundles.format import write_directory

    names = []
    for make in TEMPLATES:
        source = make()
        target = root / source["name"]
        if target.exists():
            shutil.rmtree(target)
        write_directory(build(source), target)
        names.append(source["name"])
    return names


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaintdesk.settings")
    django.setup()
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "templates"
    print("written:", ", ".join(write_all(root)))
