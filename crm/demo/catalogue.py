"""Organisations, addresses, job titles and interaction notes for the demo book. Plain data.

Every organisation is invented. Email addresses use domains under example.com/.net/.org
(reserved by RFC 2606), so a demo that sends a campaign can never mail a real person.
"""

# (English name, Chinese name, email domain, industry tag code, is an SME)
ORGANISATIONS = [
    (
        "Formosa Precision Semiconductor",
        "福爾摩沙精密半導體",
        "fps-semi",
        "industry-semiconductors",
        False,
    ),
    ("Hsinchu Crystal Innovations", "竹科晶創科技", "hci-tech", "industry-semiconductors", False),
    ("Baoshan Microelectronics", "寶山微電子", "baoshan-micro", "industry-semiconductors", True),
    (
        "Taiwan Optoelectronic Components",
        "台灣光電元件",
        "twoptc",
        "industry-electronic-components",
        False,
    ),
    ("Hengchang Electronics", "恆昌電子", "hengchang-elec", "industry-electronic-components", True),
    ("Formosa Cloud Services", "寶島雲端服務", "formosacloud", "industry-software", False),
    ("Lantern Software Studio", "燈籠軟體工作室", "lantern-soft", "industry-software", True),
    ("Jade Mountain Machinery", "玉山機械", "jm-machinery", "industry-machinery", False),
    ("Changhua Precision Tools", "彰化精密工具", "ch-precision", "industry-machinery", True),
    ("Yongxing Hardware", "永興五金", "yongxing-hw", "industry-machinery", True),
    ("Taichung Textile Works", "台中紡織", "tc-textile", "industry-textiles", True),
    ("Southern Petrochemical", "南方石化", "south-petro", "industry-petrochemicals", False),
    ("Polaris Commercial Bank", "北辰商業銀行", "polarisbank", "industry-banking", False),
    ("Anwen Life Insurance", "安穩人壽", "anwenlife", "industry-insurance", False),
    ("Dawn Asset Management", "晨曦投信", "dawn-am", "industry-securities", False),
    ("Pine Wave Development", "松濤建設", "pinewave", "industry-property-development", True),
    ("Dingfeng Construction", "鼎峰營造", "dingfeng-build", "industry-construction", True),
    ("Renxin General Hospital", "仁心綜合醫院", "renxin-hospital", "industry-hospitals", False),
    ("Kangjian Family Clinic", "康健家醫診所", "kangjian-clinic", "industry-hospitals", True),
    ("Obsidian Biotech", "曜石生技", "obsidianbio", "industry-pharma-biotech", False),
    (
        "Good Times Dining Group",
        "好食光餐飲集團",
        "goodtimes-dining",
        "industry-food-beverage",
        True,
    ),
    ("Islet Commerce", "小島電商", "isletshop", "industry-ecommerce", True),
    ("Longvoyage Shipping", "長航海運", "longvoyage", "industry-shipping-logistics", False),
    ("Harbour City Logistics", "港都物流", "hc-logistics", "industry-shipping-logistics", True),
    ("Sun Moon Tea Company", "日月茶業", "sunmoontea", "industry-agriculture", True),
    ("Polaris National University", "國立北辰大學", "polaris-univ", "industry-education", False),
    (
        "Northern District Water Office",
        "北區水資源分署",
        "north-water",
        "industry-public-sector",
        False,
    ),
    ("Meili Law Offices", "美立法律事務所", "meili-law", "industry-financial-services", True),
    (
        "Hsieh & Partners CPAs",
        "謝氏聯合會計師事務所",
        "hsieh-cpa",
        "industry-financial-services",
        True,
    ),
]

# Titles by kind of job, written the way each language's contacts give them.
TITLES = {
    "owner": {
        "zh": ["董事長", "總經理", "負責人"],
        "en": ["Owner", "Chairman", "Managing Director"],
    },
    "executive": {
        "zh": ["財務長", "執行長", "營運長", "副總經理", "協理"],
        "en": ["Chief Financial Officer", "Chief Executive Officer", "Vice President", "Director"],
    },
    "professional": {
        "zh": ["主治醫師", "執業律師", "會計師", "資深工程師", "研發經理"],
        "en": ["Physician", "Attorney", "Accountant", "Senior Engineer", "R&D Manager"],
    },
    "staff": {
        "zh": ["專案經理", "業務經理", "工程師", "行政專員", "採購主任"],
        "en": ["Project Manager", "Sales Manager", "Engineer", "Analyst", "Operations Manager"],
    },
}

# (city and district, postal code, road) — real roads, invented house numbers.
ADDRESSES = [
    ("臺北市信義區", "110", "松仁路"),
    ("臺北市大安區", "106", "敦化南路二段"),
    ("臺北市中山區", "104", "南京東路三段"),
    ("臺北市內湖區", "114", "瑞光路"),
    ("新北市板橋區", "220", "文化路一段"),
    ("新北市新店區", "231", "北新路三段"),
    ("桃園市桃園區", "330", "中正路"),
    ("新竹市東區", "300", "光復路二段"),
    ("新竹縣竹北市", "302", "光明六路"),
    ("臺中市西屯區", "407", "臺灣大道三段"),
    ("臺中市南屯區", "408", "公益路二段"),
    ("臺南市東區", "701", "東門路二段"),
    ("高雄市前鎮區", "806", "成功二路"),
    ("高雄市左營區", "813", "博愛二路"),
]

# Interaction notes by channel; each contact's notes are in their preferred language.
SUMMARIES = {
    "zh": {
        "meeting": [
            "年度資產檢視，客戶希望提高固定收益比重。",
            "討論退休規劃，客戶對月配息基金有興趣。",
            "於分行面談，說明結構型商品之風險與條件。",
            "與客戶及配偶會面，討論子女教育金規劃。",
            "拜訪公司，了解企業營運資金與外匯避險需求。",
        ],
        "call": [
            "電話確認到期定存續存事宜。",
            "客戶來電詢問美股ETF申購流程。",
            "提醒客戶風險屬性評估即將到期。",
            "電話說明近期市場波動與投資組合影響。",
        ],
        "email": [
            "寄送本季投資月報與市場展望。",
            "寄送儲蓄型保險建議書供客戶參考。",
            "回覆客戶關於海外債券配息之問題。",
        ],
        "message": [
            "LINE 通知客戶新臺幣定存優惠利率。",
            "客戶傳訊確認下週面談時間。",
        ],
        "event": [
            "出席私人銀行高爾夫邀請賽。",
            "參加財富傳承與稅務講座。",
            "參加 ESG 永續投資說明會。",
        ],
    },
    "en": {
        "meeting": [
            "Annual portfolio review; client wants more fixed income.",
            "Discussed retirement plan and monthly-income funds.",
            "Branch meeting to explain structured product terms and risks.",
            "Met client and spouse about education planning for their children.",
            "Visited the company to discuss working capital and FX hedging.",
        ],
        "call": [
            "Called about rolling over a maturing time deposit.",
            "Client asked how to subscribe to a US equity ETF.",
            "Reminded client that their risk profile assessment expires soon.",
            "Explained recent market volatility and its effect on the portfolio.",
        ],
        "email": [
            "Sent the quarterly investment report and market outlook.",
            "Sent a savings insurance proposal for the client to consider.",
            "Answered questions about coupon payments on offshore bonds.",
        ],
        "message": [
            "Let the client know about the promotional TWD time deposit rate.",
            "Client confirmed next week's meeting by message.",
        ],
        "event": [
            "Attended the private banking golf invitational.",
            "Attended the estate and tax planning seminar.",
            "Attended the ESG investing briefing.",
        ],
    },
}

# Emails people mistype or that never were addresses; stored as entered, marked invalid.
BROKEN_EMAILS = [
    "{local}@example",
    "{local}@@example.com",
    "{local} @example.net",
    "{local}example.org",
    "{local}@example,com",
    "none",
]
# Phone numbers that cannot exist: too short, an extension alone, a typo'd area code.
BROKEN_PHONES = ["0912-345", "02-1234-567", "ext. 3021", "0800", "09123456789012", "(02) 1234"]
