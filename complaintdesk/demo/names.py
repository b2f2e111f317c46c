"""Our own small lists for plausible Chinese people and places (no third-party name data).

Each surname and given-name character carries its pinyin so that user names and e-mail
addresses can be derived from the display name. Weights only roughly follow how common a
surname is; they make 王/李/张 frequent without claiming to be statistics.
"""

from __future__ import annotations

import random

# (surname, pinyin, weight)
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.7), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.2), ("赵", "zhao", 2.0), ("吴", "wu", 1.9), ("周", "zhou", 1.8),
    ("徐", "xu", 1.3), ("孙", "sun", 1.3), ("马", "ma", 1.2), ("朱", "zhu", 1.2), ("胡", "hu", 1.1),
    ("郭", "guo", 1.1), ("何", "he", 1.0), ("高", "gao", 1.0), ("林", "lin", 1.0), ("罗", "luo", 0.9),
    ("郑", "zheng", 0.9), ("梁", "liang", 0.9), ("谢", "xie", 0.7), ("宋", "song", 0.7), ("唐", "tang", 0.6),
    ("许", "xu", 0.6), ("韩", "han", 0.6), ("冯", "feng", 0.6), ("邓", "deng", 0.6), ("曹", "cao", 0.5),
    ("彭", "peng", 0.5), ("曾", "zeng", 0.5), ("肖", "xiao", 0.5), ("田", "tian", 0.5), ("董", "dong", 0.5),
    ("袁", "yuan", 0.4), ("潘", "pan", 0.4), ("于", "yu", 0.4), ("蒋", "jiang", 0.4), ("蔡", "cai", 0.4),
    ("余", "yu", 0.4), ("杜", "du", 0.4), ("叶", "ye", 0.4), ("程", "cheng", 0.4), ("苏", "su", 0.3),
    ("魏", "wei", 0.3), ("吕", "lv", 0.3), ("丁", "ding", 0.3), ("任", "ren", 0.3), ("沈", "shen", 0.3),
    ("姚", "yao", 0.3), ("卢", "lu", 0.3), ("姜", "jiang", 0.3), ("崔", "cui", 0.3), ("钟", "zhong", 0.3),
    ("谭", "tan", 0.3), ("陆", "lu", 0.2), ("汪", "wang", 0.2), ("范", "fan", 0.2), ("金", "jin", 0.2),
    ("石", "shi", 0.2), ("廖", "liao", 0.2), ("贾", "jia", 0.2), ("夏", "xia", 0.2), ("韦", "wei", 0.2),
    ("付", "fu", 0.2), ("方", "fang", 0.2), ("白", "bai", 0.2), ("邹", "zou", 0.2), ("孟", "meng", 0.2),
    ("熊", "xiong", 0.2), ("秦", "qin", 0.2), ("邱", "qiu", 0.2), ("江", "jiang", 0.2), ("尹", "yin", 0.2),
    ("薛", "xue", 0.2), ("闫", "yan", 0.2), ("段", "duan", 0.2), ("雷", "lei", 0.2), ("侯", "hou", 0.2),
    ("龙", "long", 0.2), ("史", "shi", 0.2), ("陶", "tao", 0.2), ("黎", "li", 0.2), ("贺", "he", 0.2),
    ("顾", "gu", 0.2), ("毛", "mao", 0.2), ("郝", "hao", 0.2), ("龚", "gong", 0.2), ("邵", "shao", 0.2),
    ("万", "wan", 0.2), ("欧阳", "ouyang", 0.05), ("上官", "shangguan", 0.02), ("司马", "sima", 0.02),
)

# (character, pinyin) used for given names; a mix of characters common in men's and women's names.
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("英", "ying"), ("华", "hua"), ("玉", "yu"), ("兰", "lan"), ("萍", "ping"), ("红", "hong"), ("建", "jian"),
    ("文", "wen"), ("辉", "hui"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("鑫", "xin"), ("博", "bo"),
    ("斌", "bin"), ("晨", "chen"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("晶", "jing"), ("倩", "qian"),
    ("颖", "ying"), ("欣", "xin"), ("佳", "jia"), ("怡", "yi"), ("梦", "meng"), ("雨", "yu"), ("思", "si"),
    ("子", "zi"), ("梓", "zi"), ("涵", "han"), ("轩", "xuan"), ("睿", "rui"), ("泽", "ze"), ("昊", "hao"),
    ("然", "ran"), ("诗", "shi"), ("琪", "qi"), ("嘉", "jia"), ("晓", "xiao"), ("志", "zhi"), ("永", "yong"),
    ("海", "hai"), ("波", "bo"), ("峰", "feng"), ("宁", "ning"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"),
    ("帆", "fan"), ("航", "hang"), ("晴", "qing"), ("悦", "yue"), ("彤", "tong"), ("妍", "yan"), ("慧", "hui"),
    ("亮", "liang"), ("成", "cheng"), ("东", "dong"), ("飞", "fei"), ("国", "guo"), ("春", "chun"),
    ("秋", "qiu"), ("云", "yun"), ("丹", "dan"), ("莉", "li"), ("蕾", "lei"), ("薇", "wei"), ("璐", "lu"),
    ("瑶", "yao"), ("欢", "huan"), ("德", "de"), ("安", "an"), ("立", "li"), ("新", "xin"), ("振", "zhen"),
    ("宏", "hong"), ("毅", "yi"), ("铭", "ming"), ("哲", "zhe"), ("翔", "xiang"), ("天", "tian"), ("可", "ke"),
    ("馨", "xin"), ("茜", "qian"), ("菲", "fei"), ("雅", "ya"), ("淑", "shu"), ("珍", "zhen"), ("凤", "feng"),
    ("燕", "yan"), ("玲", "ling"), ("瑞", "rui"), ("坤", "kun"), ("阳", "yang"), ("旭", "xu"), ("正", "zheng"),
    ("家", "jia"), ("世", "shi"), ("蓉", "rong"), ("若", "ruo"), ("逸", "yi"), ("晗", "han"), ("沐", "mu"),
)

_SURNAME_CUM: list[float] = []
_total = 0.0
for _s in SURNAMES:
    _total += _s[2]
    _SURNAME_CUM.append(_total)


def person_name(rng: random.Random) -> tuple[str, str]:
    """A display name (2-3 characters, sometimes 4 with a two-character surname) and its pinyin."""
    surname, surname_py, _ = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]
    count = 1 if rng.random() < 0.3 else 2
    chars = [rng.choice(GIVEN_CHARS) for _ in range(count)]
    if count == 2 and chars[0][0] == chars[1][0] and rng.random() < 0.7:
        chars = chars[:1]  # reduplicated names (婷婷) exist but should stay rare
    return surname + "".join(c for c, _ in chars), surname_py + "".join(p for _, p in chars)


# Prefixes of mainland mobile numbers (1[3-9]x); the rest of the number is random.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "172", "173", "175", "176", "177", "178", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 4.0), ("163.com", 3.0), ("126.com", 1.5), ("sina.com", 0.8), ("foxmail.com", 0.6),
    ("outlook.com", 0.6), ("139.com", 0.5), ("gmail.com", 0.3),
)


def email_address(rng: random.Random, pinyin: str) -> str:
    domain = rng.choices([d for d, _ in EMAIL_DOMAINS], weights=[w for _, w in EMAIL_DOMAINS])[0]
    if domain == "qq.com" and rng.random() < 0.7:
        return f"{rng.randrange(10**7, 3 * 10**9)}@qq.com"
    suffix = rng.choice(["", str(rng.randrange(1, 100)), str(rng.randrange(1970, 2006)), "_" + str(rng.randrange(10))])
    return f"{pinyin}{suffix}@{domain}"


# (province, city, administrative code of the city, weight); municipalities have an empty city.
REGIONS: tuple[tuple[str, str, str, float], ...] = (
    ("广东省", "广州市", "440100", 5.0), ("广东省", "深圳市", "440300", 5.5), ("广东省", "东莞市", "441900", 2.0),
    ("广东省", "佛山市", "440600", 2.0), ("上海市", "", "310000", 5.5), ("北京市", "", "110000", 5.0),
    ("天津市", "", "120000", 1.8), ("重庆市", "", "500000", 2.5), ("浙江省", "杭州市", "330100", 3.5),
    ("浙江省", "宁波市", "330200", 1.6), ("江苏省", "南京市", "320100", 2.5), ("江苏省", "苏州市", "320500", 2.8),
    ("江苏省", "无锡市", "320200", 1.2), ("四川省", "成都市", "510100", 3.2), ("湖北省", "武汉市", "420100", 2.6),
    ("陕西省", "西安市", "610100", 2.0), ("湖南省", "长沙市", "430100", 2.0), ("山东省", "济南市", "370100", 1.5),
    ("山东省", "青岛市", "370200", 1.8), ("河南省", "郑州市", "410100", 2.2), ("福建省", "福州市", "350100", 1.2),
    ("福建省", "厦门市", "350200", 1.2), ("安徽省", "合肥市", "340100", 1.6), ("江西省", "南昌市", "360100", 1.0),
    ("河北省", "石家庄市", "130100", 1.2), ("山西省", "太原市", "140100", 0.8), ("辽宁省", "沈阳市", "210100", 1.1),
    ("辽宁省", "大连市", "210200", 0.9), ("吉林省", "长春市", "220100", 0.7), ("黑龙江省", "哈尔滨市", "230100", 0.8),
    ("广西壮族自治区", "南宁市", "450100", 0.8),
    ("云南省", "昆明市", "530100", 0.9), ("贵州省", "贵阳市", "520100", 0.7),
    ("海南省", "海口市", "460100", 0.4), ("内蒙古自治区", "呼和浩特市", "150100", 0.4),
    ("甘肃省", "兰州市", "620100", 0.4),
)


def region(rng: random.Random) -> tuple[str, str, str]:
    """``(display text, city, code)``: e.g. ("广东省深圳市", "深圳", "440300")."""
    province, city, code, _ = rng.choices(REGIONS, weights=[r[3] for r in REGIONS])[0]
    short_city = (city or province).removesuffix("市")
    return province + city, short_city, code


COMPANY_WORDS: tuple[str, ...] = (
    "恒信", "华泰", "鼎盛", "瑞丰", "锦程", "宏达", "新源", "金桥", "博远", "中联", "佳和", "润泽", "启明", "德众",
)
COMPANY_KINDS: tuple[str, ...] = ("科技有限公司", "贸易有限公司", "电子商务有限公司", "酒店管理有限公司",
                                  "物业服务有限公司", "餐饮管理有限公司", "教育咨询有限公司")


def company_name(rng: random.Random, city: str) -> str:
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}"
