"""Word lists of the dual-prevention demo: enterprise names, typical hidden dangers, meeting minutes.
Everyday wording of Tongren's small businesses and grid reports; nothing here is a rule."""

from __future__ import annotations

# industry code → (share of the register, name nouns); shares follow a mountain city's register:
# mostly shops and eateries, some building materials and manganese/mercury mining and smelting.
INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "commerce": (0.36, ("商贸", "超市", "百货", "建材经营部", "五金店", "便利店")),
    "hospitality": (0.14, ("餐馆", "酒店", "农家乐", "宾馆", "小吃店")),
    "agriculture": (0.08, ("种养殖合作社", "茶叶专业合作社", "林场", "生态农业")),
    "light_industry": (0.06, ("食品厂", "酒厂", "木制品加工厂", "印刷厂")),
    "building_materials": (0.06, ("砂石厂", "混凝土搅拌站", "砖厂", "石材加工厂")),
    "construction": (0.05, ("建筑工程", "建设工程", "装饰工程")),
    "transport": (0.04, ("运输", "物流", "客运站")),
    "machinery": (0.03, ("机械厂", "汽修厂", "农机修理")),
    "entertainment": (0.03, ("KTV", "网吧", "电影院")),
    "hazchem_trade": (0.02, ("加油站", "液化气供应站", "危化品经营部")),
    "non_coal_mine": (0.012, ("锰矿", "石灰石矿", "采石场")),
    "nonferrous": (0.008, ("汞业", "有色金属冶炼厂")),
    "metallurgy": (0.005, ("电解锰厂", "铁合金厂")),
    "tourism": (0.01, ("旅游景区", "漂流", "景区管理")),
    "utilities": (0.01, ("水电站", "供水站", "燃气")),
    "textile": (0.01, ("服装厂", "纺织")),
    "hazchem_production": (0.003, ("化工", "化工厂")),
    "fireworks": (0.003, ("烟花爆竹批发部", "烟花爆竹厂")),
    "tobacco": (0.003, ("烟叶收购站",)),
    "coal_mine": (0.001, ("煤矿",)),
    "other": (0.0, ("服务部",)),
}
BRANDS = (
    "梵净",
    "锦江",
    "铜仁",
    "武陵",
    "苗乡",
    "黔东",
    "碧江",
    "万山",
    "松桃",
    "思南",
    "金桥",
    "兴达",
    "顺发",
    "宏源",
    "鑫源",
    "华盛",
    "恒通",
    "福来",
    "永昌",
    "德丰",
    "富民",
    "新城",
    "群力",
    "丰达",
    "安泰",
    "康达",
    "吉祥",
    "长青",
    "东升",
    "红星",
    "盛世",
    "瑞丰",
    "天成",
    "佳和",
    "民生",
    "振兴",
    "众鑫",
    "泰和",
    "利民",
    "宏发",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁龙麻滕"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国春梅林斌宇浩凯鹏飞云海波"

# category → typical hidden dangers found by grid workers and inspectors
DANGERS: dict[str, tuple[str, ...]] = {
    "fire": ("消防通道堆放杂物", "灭火器过期失效", "安全出口上锁", "电动车在楼道内充电", "疏散指示标志损坏"),
    "electrical": ("私拉乱接电线", "配电箱未上锁、无警示标识", "漏电保护器失效", "电线老化裸露"),
    "hazchem": ("危化品超量储存", "危化品未分类存放", "气瓶未固定、无防倒措施", "加油站油气回收装置故障"),
    "dust": ("粉尘清扫不及时积尘", "除尘系统未接地"),
    "confined_space": ("有限空间未设置警示标识", "有限空间作业未配备气体检测仪"),
    "equipment": ("设备传动部位防护罩缺失", "特种设备超期未检验", "起重设备钢丝绳磨损"),
    "structure": ("房屋墙体开裂", "违规搭建彩钢棚", "自建房改变用途未鉴定"),
    "gas": ("燃气管道老化锈蚀", "餐饮场所未安装燃气报警器", "液化气钢瓶与灶具距离不足"),
    "geological": ("房后边坡出现裂缝", "挡土墙鼓胀变形", "采石场边坡超高超陡"),
    "flood": ("排水沟堵塞", "河道行洪断面被侵占", "山塘坝体渗水"),
    "drowning": ("水塘无警示牌", "河边防护栏缺失", "废弃矿坑积水无围挡"),
    "forest_fire": ("林区违规用火", "林缘堆放易燃物"),
    "road": ("急弯路段无警示标志", "临水临崖路段护栏缺失"),
    "management": ("安全培训记录缺失", "应急预案未演练", "隐患排查台账不全"),
    "other": ("其他安全隐患",),
}
# where each category is found: enterprises (e) or the village (v)
CATEGORY_WEIGHTS = {
    "fire": (0.26, "ev"),
    "electrical": (0.16, "ev"),
    "gas": (0.08, "ev"),
    "management": (0.08, "e"),
    "equipment": (0.07, "e"),
    "hazchem": (0.03, "e"),
    "dust": (0.01, "e"),
    "confined_space": (0.01, "e"),
    "structure": (0.09, "ev"),
    "geological": (0.06, "v"),
    "flood": (0.05, "v"),
    "drowning": (0.04, "v"),
    "forest_fire": (0.03, "v"),
    "road": (0.02, "v"),
    "other": (0.01, "ev"),
}
MEASURES = (
    "立即清理整改,落实专人负责,建立整改台账",
    "更换失效设施,完善警示标识,加强日常巡查",
    "停止使用相关设施,委托专业单位维修检测后恢复",
    "制定整改方案,设置临时防护,定期复查",
)
MINUTES = (
    "村级应急协管员组织网格员逐组通报本月风险隐患排查情况,研判汛期地质灾害、防溺水和用火用电风险,明确下月排查重点。",
    "通报本月新发现隐患及整改进度,对逾期未整改隐患逐项分析原因,落实包保责任人和整改时限。",
    "研判近期天气和农事活动带来的风险,部署森林防火、自建房和燃气安全排查,督促网格员每周巡查。",
)
DECISIONS = (
    "对未整改隐患逐户上门督促,三日内报送整改情况;重点水域增设警示牌。",
    "对边坡裂缝点落实群测群防,雨天每日巡查两次;情况上报乡镇应急办。",
    "组织一次防溺水宣传进户,更新隐患台账并报乡镇。",
)
PUBLIC_PLACES = (
    ("school", "{town}中心学校", "拥挤踩踏、校园消防", "落实错峰放学,消防设施每月检查"),
    ("waters", "{town}河段防溺水重点水域", "溺水", "设置警示牌和救生设施,暑期专人巡查"),
    ("market", "{town}农贸市场", "火灾、燃气泄漏", "规范燃气使用,保持消防通道畅通"),
    ("slope", "{town}集镇后山边坡", "滑坡、崩塌", "群测群防,雨季加密巡查"),
    ("forest", "{town}林区", "森林火灾", "设卡检查,严禁野外用火"),
)
