"""Templates for demo complaint subjects, descriptions and replies, per leaf category.

Placeholders are filled by ``str.format`` from one context dict (unused keys are ignored):
{product} {symptom} {shortfall} {flaw} {days} {store} {date} {order} {courier} {city} {amount}
{gift} {part} {tracking} {dept} {name} {number} {hours}.
"""

from __future__ import annotations

STORES: tuple[str, ...] = (
    "官方商城", "官方旗舰店", "官方小程序商城", "直播间", "线下体验店", "授权专卖店", "电商平台自营店",
)
COURIERS: tuple[str, ...] = ("顺丰", "中通", "圆通", "韵达", "申通", "EMS", "极兔")
GIFTS: tuple[str, ...] = ("蓝牙耳机", "保护壳", "延保卡", "定制收纳包", "充电宝", "贴膜套装", "不锈钢蒸笼")
FLAWS: tuple[str, ...] = (
    "屏幕上有一道明显划痕", "边框掉漆", "外壳有裂缝", "机身有凹痕", "颜色和页面图片差别很大", "表面有明显色差",
    "屏幕上有亮点", "包装里的产品有使用痕迹",
)
WORKMANSHIP: tuple[str, ...] = (
    "做工粗糙，边缘有毛刺", "按键松动", "接缝处开胶", "螺丝松动会响", "塑料味很重，放了一周还有", "表带掉色染到手腕上",
    "盖子合不严",
)

# Subjects per leaf category key.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "malfunction": (
        "{product}{symptom}", "新买的{product}{symptom}，要求换货", "{product}用了{days}天就{symptom}",
        "{product}{symptom}，已严重影响使用", "投诉{product}质量问题：{symptom}", "{product}又出现{symptom}的问题",
    ),
    "appearance_defect": (
        "收到的{product}{flaw}", "{product}外观有瑕疵：{flaw}", "新机{flaw}，要求换新", "开箱发现{product}{flaw}",
    ),
    "performance": (
        "{product}{shortfall}", "{product}性能不达标：{shortfall}", "{product}{shortfall}，要求退货",
    ),
    "workmanship": (
        "{product}{flaw}", "{product}做工太差", "{product}用料与做工问题：{flaw}",
    ),
    "delivery_delay": (
        "订单{order}超过{days}天还没收到货", "物流{days}天没有更新", "{courier}快递一直显示在{city}中转站",
        "承诺次日达，结果{days}天了还没到", "大促买的{product}迟迟不发货",
    ),
    "damaged_package": (
        "收到的{product}外包装严重破损", "快递外箱被压扁，{product}摔坏了", "包裹破损，{product}屏幕碎了",
        "{courier}送来的箱子是湿的，里面东西受潮",
    ),
    "wrong_item": (
        "买的{product}发成了别的型号", "订单{order}少发了配件", "收到的颜色和下单的不一致", "赠品和配件都漏发了",
        "一单买了两件只收到一件",
    ),
    "courier_attitude": (
        "快递员态度恶劣，不送货上门", "快递员没打电话直接放驿站", "{courier}快递员私自签收", "快递员送货时骂人",
    ),
    "agent_attitude": (
        "客服态度差，直接挂我电话", "在线客服一直用模板敷衍", "客服说话不耐烦，问题也没解决",
        "投诉客服{name}服务态度恶劣",
    ),
    "slow_response": (
        "提交问题{days}天没人回复", "热线一直打不通", "留言之后一直没有人联系我", "说好24小时回电，到现在都没消息",
    ),
    "broken_promise": (
        "客服承诺的补偿一直没到账", "说好上门维修结果没人来", "承诺{days}天内退款，至今未退",
        "答应给补发的配件一直没发",
    ),
    "repair_quality": (
        "{product}维修后问题依旧", "修过的{product}又{symptom}", "维修后{product}出现新的问题",
        "维修换的{part}不是原厂配件",
    ),
    "repair_delay": (
        "{product}送修{days}天还没修好", "维修进度一直查不到", "送修的{product}超过承诺时间未返还",
        "等配件等了{days}天",
    ),
    "return_exchange": (
        "{product}申请七天无理由退货被拒", "退货寄回{days}天了还没退款", "{product}换货流程太麻烦",
        "质量问题要求换新却只给维修", "要求退货退款：{product}",
    ),
    "overcharge": (
        "上门维修乱收费", "保修期内维修还收了{amount}元", "安装师傅额外收取{amount}元材料费", "运费被重复扣除",
    ),
    "price_fraud": (
        "{product}先涨价再打折", "买完第二天降价{amount}元，不给价保", "活动价和结算价不一致", "直播间说的优惠没兑现",
    ),
    "invoice": (
        "开具的发票抬头错误", "申请电子发票{days}天还没收到", "要求开专票被拒绝", "发票金额与实付金额不一致",
    ),
    "exaggeration": (
        "{product}夸大宣传：{shortfall}", "{product}广告宣传与实际不符", "详情页写的功能实际没有",
    ),
    "gift_not_delivered": (
        "购买{product}承诺的赠品{gift}没收到", "赠品{gift}一直不发", "活动说送{gift}，结果没有",
    ),
    "injury": (
        "使用{product}时被烫伤", "{product}导致皮肤过敏红肿", "{product}零件脱落划伤手", "{product}伤人，要求赔偿",
    ),
    "fire_electric": (
        "{product}充电时冒烟", "{product}漏电，摸到有麻手感", "{product}插头烧焦", "{product}使用中起火",
    ),
    "food_safety": (
        "{product}内胆涂层脱落到饭里", "{product}煮出来的东西有异味",
        "{product}内部发现锈迹", "{product}有塑料味进入食物",
    ),
    "other": (
        "咨询{product}的保修政策", "对会员积分规则有异议", "希望增加上门回收旧机服务", "APP账号无法注销",
        "门店营业时间与公示不符",
    ),
}

GENERIC_SUBJECTS: tuple[str, ...] = ("关于{product}的投诉", "{product}使用问题反馈", "投诉：{product}")

OPENINGS: tuple[str, ...] = (
    "我{date}在{store}买的{product}，",
    "{date}收到的{product}，", "本人在贵公司{store}购买了{product}（订单号{order}），",
    "我是{city}的用户，{date}购买了{product}，", "{product}是{date}在{store}买的，", "",
)

BODIES: dict[str, tuple[str, ...]] = {
    "malfunction": (
        "使用{days}天后出现{symptom}的情况。", "最近一周经常{symptom}，重启、恢复出厂设置都试过了，还是不行。",
        "刚开始用还好，这两天突然{symptom}。", "按照说明书操作，还是{symptom}，客服远程指导也没解决。",
    ),
    "appearance_defect": ("拆开包装就发现{flaw}。", "开箱验货时发现{flaw}，当场拍了视频。"),
    "performance": ("实际使用下来{shortfall}。", "和宣传的参数差距很大，{shortfall}。"),
    "workmanship": ("拿到手发现{flaw}。", "用了不到{days}天就{flaw}。"),
    "delivery_delay": (
        "下单时页面写的是48小时发货，现在已经{days}天了，物流一直停在{city}。",
        "物流信息{days}天没有更新，联系{courier}说是网点爆仓。", "这是送人的礼物，耽误了时间。",
    ),
    "damaged_package": (
        "快递送到时外箱已经压扁，打开后{product}已经损坏。", "签收时快递员催着走，回家打开发现里面的东西摔坏了。",
    ),
    "wrong_item": ("打开包裹发现和订单不符，订单号{order}。", "收货时没有当面验货，回家打开才发现问题。"),
    "courier_attitude": (
        "快递员没有打电话就把包裹放在驿站，还在系统里写本人签收。", "让快递员送上楼，他说不送就直接走了，态度很差。",
    ),
    "agent_attitude": (
        "打客服热线反映问题，客服说话很不耐烦，最后直接挂断。", "在线客服全程复制粘贴，问什么都答非所问。",
    ),
    "slow_response": ("在APP里提交了售后申请，{days}天都没有人处理。", "热线排队半小时都没接通，留言也没有回电。"),
    "broken_promise": (
        "上次投诉时客服承诺{days}天内给我补偿{amount}元，到现在都没有兑现。",
        "约好了上门时间，我请了假在家等了一整天，没有人来也没有电话。",
    ),
    "repair_quality": ("上个月送修过一次，修好后不到{days}天又{symptom}。", "维修时换了{part}，回来后问题依旧。"),
    "repair_delay": (
        "{product}送到维修点已经{days}天，每次打电话都说在等配件。",
        "维修单号查不到进度，也没人主动联系我。",
    ),
    "return_exchange": (
        "符合七天无理由退货条件，申请却被驳回。", "商品寄回去{days}天了，退款还没有到账。",
        "产品有质量问题，要求换新，售后却只同意维修。",
    ),
    "overcharge": (
        "师傅上门后额外收了{amount}元，说是材料费，没有给任何票据。",
        "产品还在保修期内，维修却收了{amount}元。",
    ),
    "price_fraud": ("下单前一天价格还便宜{amount}元，活动当天反而涨了。", "买完第二天就降价{amount}元，申请价保被拒。"),
    "invoice": ("申请开具电子发票，{days}天了都没有收到。", "发票抬头和税号填写正确，开出来却是错的。"),
    "exaggeration": ("详情页宣传的功能实际用不了，{shortfall}。", "广告说的效果根本达不到，感觉被欺骗了。"),
    "gift_not_delivered": (
        "下单页面写明赠送{gift}，收货时没有，客服说赠品已送完。",
        "活动赠品{gift}过了{days}天还没有发。",
    ),
    "injury": ("使用过程中突然发生意外，手被烫伤/划伤，已经去医院处理。", "用了之后皮肤红肿发痒，医生说是接触性过敏。"),
    "fire_electric": ("使用时闻到焦糊味，随后插头位置冒烟，幸好及时拔掉了。", "碰到外壳有明显的麻手感，怀疑漏电。"),
    "food_safety": ("在煮好的饭里发现黑色的碎片，像是内胆涂层脱落。", "用它做的食物有一股怪味，不敢再给孩子吃。"),
    "other": ("想咨询一下相关政策，客服给的说法前后不一致。", "之前反映过，希望这次能给一个明确答复。"),
}

EXTRAS: tuple[str, ...] = (
    "已经联系过客服两次，都没有结果。", "这已经是第二次出现这种情况了。", "耽误了我很多时间，非常不满意。",
    "有照片和视频可以证明。",
)
PRODUCT_EXTRAS: tuple[str, ...] = ("购买时销售人员保证过质量没问题。", "朋友买的同款也有类似情况。")
SAFETY_EXTRAS: tuple[str, ...] = (
    "家里有老人和小孩，非常担心安全问题。", "现在都不敢再用了。", "已经保留了产品和医院的票据。",
)

DEMANDS: tuple[str, ...] = (
    "要求退货退款。", "希望尽快给出处理方案。", "请尽快安排维修或者换新。", "如果三天内不处理，我将向12315投诉。",
    "要求赔偿并给出书面说明。", "希望有专人跟进，给个准确的处理时间。", "请给个说法。", "要求换一台新的。",
    "希望能妥善处理，否则会在网上曝光。", "",
)

ACK_REPLIES: tuple[str, ...] = (
    "{name}您好，您反馈的问题已收到（工单号{number}），我们已安排专人跟进，会在24小时内与您联系。",
    "您好，非常抱歉给您带来不便！您的投诉我们已受理，处理进展会第一时间通知您。",
    "{name}您好，已收到您的反馈，我们正在核实相关情况，请保持电话畅通。",
    "您好，感谢您的反馈。您的问题已登记（工单号{number}），{dept}的同事会尽快与您联系。",
    "{name}您好，给您添麻烦了，我们已记录您的诉求，预计{hours}小时内给您答复。",
)

DISPATCH_NOTES: tuple[str, ...] = (
    "已电话联系客户确认情况，转{dept}处理。", "客户情绪较激动，请{dept}优先处理。", "已核实订单信息，转{dept}跟进。",
    "客户要求尽快给方案，转{dept}。", "附客户描述及照片，请{dept}评估处理。",
)
VIP_NOTES: tuple[str, ...] = ("VIP客户，请加急处理。", "重要客户，主管已关注，请当天给出方案。")

WORK_NOTES: dict[str, tuple[str, ...]] = {
    "tech": (
        "已远程查看设备日志，初步判断为{part}故障。",
        "已联系客户，约定{date}上门检测。", "已申请{part}备件，预计2天到货。",
        "已复现问题，提交研发分析。",
    ),
    "after_sales": (
        "已安排就近服务网点检测。", "已为客户开通换货绿色通道。", "已申请{part}备件，预计2天到货。",
        "已与网点确认维修进度。",
    ),
    "logistics": (
        "已调取物流轨迹，包裹在{city}中转站滞留。", "已联系{courier}网点核实情况。", "已与仓库核实发货记录，确认漏发。",
        "已要求快递网点今日加急派送。",
    ),
    "sales": ("已核对活动规则与订单价格。", "已与财务确认开票信息。", "已联系店铺运营核实宣传页面。"),
    "service": ("已调取通话录音核实。", "已与当事客服沟通了解情况。", "已向客户致电道歉。"),
}

QUALITY_NOTES: tuple[str, ...] = (
    "已登记质量问题，纳入本周质量周报。", "同类问题近期有上升趋势，已提请质量分析。", "已要求客户寄回样品做失效分析。",
    "已关联供应商来料检验记录，待确认。",
)
SPIKE_QUALITY_NOTES: tuple[str, ...] = (
    "已确认为批次问题（批号{batch}），启动召回评估。", "同批次（{batch}）问题，按批量问题统一处理方案执行。",
    "失效分析结论：批号{batch}存在缺陷，已通知供应商整改。",
)

PENDING_REQUESTS: tuple[str, ...] = (
    "麻烦您提供一下购买凭证和故障照片或视频，以便我们尽快处理。", "请您提供订单号和收货时的外包装照片。",
    "请问您方便的上门检测时间是？我们好安排工程师。", "请您把产品寄回检测，运费由我们承担，地址已短信发送给您。",
)
CUSTOMER_SUPPLIED: tuple[str, ...] = (
    "客户已补充故障视频和购买发票。", "客户已回复，约定周六上午上门。", "客户已提供外包装照片。",
    "客户已将产品寄回，快递单号已登记。",
)

RESOLUTIONS: dict[str, tuple[str, ...]] = {
    "product_quality": (
        "经检测确认为产品质量问题，已为您办理换新，新机将于48小时内发出。",
        "工程师已上门更换{part}，目前设备已恢复正常，维修费用全免。",
        "已为您办理退货退款，{amount}元将在3-5个工作日内原路退回。",
        "经远程指导升级到最新版本后问题已解决，另赠送6个月延保作为补偿。",
    ),
    "logistics": (
        "已联系快递加急派送，包裹已于今日送达。", "已为您补发缺少的商品，补发单号{tracking}。",
        "已为破损商品办理换货，另补偿{amount}元优惠券。", "已向快递公司反馈该快递员的问题，网点已致电向您道歉。",
    ),
    "service_attitude": (
        "已核实通话录音，对涉事客服进行批评教育并纳入考核，向您诚挚道歉。",
        "非常抱歉，已为您申请{amount}元无门槛券作为补偿，后续由专人跟进。",
        "此前承诺的补偿{amount}元已到账，请查收，给您带来不便深表歉意。",
    ),
    "after_sales": (
        "已重新安排维修并更换原厂{part}，维修费用全免。", "已加急处理，修好的设备已寄回，单号{tracking}。",
        "已为您办理退换货，来回运费由我司承担。",
    ),
    "pricing": (
        "已核实为多收费用，{amount}元已退回您的支付账户。", "已按价格保护政策退还差价{amount}元。",
        "已为您重新开具电子发票，已发送至您的邮箱。",
    ),
    "false_advertising": (
        "已核实宣传页面表述不准确，页面已修改，并为您办理退货退款。",
        "赠品已补发，单号{tracking}，给您带来不便深表歉意。",
    ),
    "safety": (
        "已安排工程师上门取回问题产品送检，并承担全部医疗费用{amount}元。",
        "已为您全额退款并赔偿{amount}元，问题批次已启动排查。",
    ),
    "other": ("已向您详细说明相关政策，您的建议我们已反馈给相关部门。", "已为您处理完毕，感谢您的理解与支持。"),
}
SPIKE_RESOLUTIONS: tuple[str, ...] = (
    "经确认为同批次部件缺陷，已为您免费更换新机，并赠送{amount}元补偿券，给您带来不便深表歉意。",
    "该问题属于批次缺陷，已为您办理退货退款，同时补偿{amount}元。",
)

CLOSE_NOTES: tuple[str, ...] = (
    "回访客户，对处理结果满意，评分{score}分。", "回访客户，客户表示基本满意，评分{score}分。",
    "客户确认问题已解决，同意关闭工单。",
)
REOPEN_REASONS: tuple[str, ...] = ("客户反馈问题再次出现", "客户对处理结果不满意", "换新后的产品出现同样问题",
                                   "补偿未到账，客户再次来电")
CANCEL_REASONS: tuple[str, ...] = (
    "客户表示问题已自行解决，撤销投诉", "客户重复提交，已在另一工单处理", "多次联系客户未果，超过7天未回复",
    "经核实非本公司产品",
)
MERGE_NOTES: tuple[str, ...] = ("客户通过多个渠道重复反映同一问题，合并处理。",)

# Replies that settle a matter during the first call or visit (一次性解决), per leaf category.
FIRST_CONTACT_REPLIES: dict[str, tuple[str, ...]] = {
    "delivery_delay": ("已为您查询物流并催促网点，包裹预计明天送达，如仍未收到请随时联系我们。",
                       "已为您申请仓库优先发货，今天下午发出，物流单号会短信通知您。"),
    "wrong_item": ("已为您登记补发缺少的配件，预计2天内送达，原包裹无需退回。",),
    "invoice": ("已为您重新开具电子发票，已发送至您预留的邮箱，请查收。",),
    "return_exchange": ("已为您登记退货，快递员将于明天上门取件，退款在收到货后1-3个工作日内原路退回。",),
    "slow_response": ("非常抱歉让您久等，您的问题已当场处理完毕，我们会改进热线排班。",),
    "broken_promise": ("已核实此前承诺，补偿{amount}元已当场为您申请发放，请注意查收。",),
    "gift_not_delivered": ("已为您登记补发赠品{gift}，预计3天内发出。",),
    "other": ("已向您详细说明相关政策，感谢您的理解与支持。", "已为您处理完毕，如有其他问题欢迎随时联系我们。"),
}
