"""Seed the governed vocabulary: four categories with banking terms in English and zh-Hant.

The tree is written out here rather than imported, so this migration keeps meaning the same
thing however the app's code changes later. Codes are stable slugs that code and imports may
rely on; administrators may relabel or retire terms, never recode them.
"""

from django.db import migrations
from django.db.models import Max

# Kept equal to contacts.models.tags.PATH_SEGMENT_WIDTH; copied because a migration must not
# depend on today's model module.
PATH_SEGMENT_WIDTH = 4

# (code, English, Traditional Chinese, children)
VOCABULARY = [
    (
        "client-segment",
        "Client segment",
        "客戶分群",
        [
            (
                "segment-individual",
                "Individual",
                "個人客戶",
                [
                    (
                        "segment-hnw",
                        "High net worth",
                        "高資產客戶",
                        [("segment-uhnw", "Ultra high net worth", "超高資產客戶", [])],
                    ),
                    ("segment-mass-affluent", "Mass affluent", "富裕大眾客戶", []),
                    ("segment-young-professional", "Young professional", "年輕專業人士", []),
                    ("segment-retiree", "Retiree", "退休族", []),
                ],
            ),
            (
                "segment-business",
                "Business",
                "企業客戶",
                [
                    ("segment-sme-owner", "SME owner", "中小企業主", []),
                    ("segment-corporate-executive", "Corporate executive", "企業高階主管", []),
                    (
                        "segment-licensed-professional",
                        "Licensed professional (doctor, lawyer, accountant)",
                        "專門職業人士（醫師、律師、會計師）",
                        [],
                    ),
                ],
            ),
            (
                "segment-institutional",
                "Institutional",
                "法人機構",
                [
                    ("segment-family-office", "Family office", "家族辦公室", []),
                    ("segment-foundation", "Foundation or charity", "基金會與公益團體", []),
                    ("segment-pension-fund", "Pension fund", "退休基金", []),
                ],
            ),
        ],
    ),
    (
        "industry",
        "Industry",
        "產業",
        [
            (
                "industry-technology",
                "Technology",
                "科技業",
                [
                    ("industry-semiconductors", "Semiconductors", "半導體", []),
                    ("industry-electronic-components", "Electronic components", "電子零組件", []),
                    ("industry-software", "Software and internet services", "軟體與網路服務", []),
                ],
            ),
            (
                "industry-manufacturing",
                "Manufacturing",
                "製造業",
                [
                    ("industry-machinery", "Machinery and precision tools", "機械與精密工具", []),
                    ("industry-textiles", "Textiles", "紡織", []),
                    ("industry-petrochemicals", "Petrochemicals and plastics", "石化與塑膠", []),
                ],
            ),
            (
                "industry-financial-services",
                "Financial services",
                "金融服務業",
                [
                    ("industry-banking", "Banking", "銀行業", []),
                    ("industry-insurance", "Insurance", "保險業", []),
                    (
                        "industry-securities",
                        "Securities and asset management",
                        "證券與資產管理",
                        [],
                    ),
                ],
            ),
            (
                "industry-real-estate",
                "Real estate",
                "不動產業",
                [
                    ("industry-construction", "Construction", "營造業", []),
                    ("industry-property-development", "Property development", "建設開發", []),
                ],
            ),
            (
                "industry-healthcare",
                "Healthcare",
                "醫療保健",
                [
                    ("industry-hospitals", "Hospitals and clinics", "醫院與診所", []),
                    ("industry-pharma-biotech", "Pharmaceuticals and biotech", "製藥與生技", []),
                ],
            ),
            (
                "industry-retail",
                "Retail",
                "零售業",
                [
                    ("industry-food-beverage", "Food and beverage", "餐飲業", []),
                    ("industry-ecommerce", "E-commerce", "電子商務", []),
                ],
            ),
            ("industry-shipping-logistics", "Shipping and logistics", "航運與物流", []),
            ("industry-public-sector", "Public sector", "公部門", []),
            ("industry-education", "Education", "教育", []),
            ("industry-agriculture", "Agriculture and food processing", "農業與食品加工", []),
        ],
    ),
    (
        "interest",
        "Interest",
        "興趣",
        [
            (
                "interest-sports",
                "Sports",
                "運動",
                [
                    ("interest-golf", "Golf", "高爾夫", []),
                    ("interest-cycling", "Cycling", "自行車", []),
                    ("interest-hiking", "Hiking", "登山健行", []),
                ],
            ),
            (
                "interest-arts-culture",
                "Arts and culture",
                "藝文",
                [
                    ("interest-art-collecting", "Art collecting", "藝術收藏", []),
                    ("interest-classical-music", "Classical music", "古典音樂", []),
                    ("interest-tea", "Tea culture", "茶文化", []),
                ],
            ),
            (
                "interest-lifestyle",
                "Lifestyle",
                "生活品味",
                [
                    ("interest-travel", "Travel", "旅遊", []),
                    ("interest-wine", "Wine", "品酒", []),
                    ("interest-fine-dining", "Fine dining", "美食", []),
                ],
            ),
            ("interest-philanthropy", "Philanthropy", "公益慈善", []),
            (
                "interest-planning",
                "Financial planning",
                "財務規劃",
                [
                    ("interest-education-planning", "Education planning", "子女教育規劃", []),
                    ("interest-retirement-planning", "Retirement planning", "退休規劃", []),
                    (
                        "interest-estate-planning",
                        "Estate and succession planning",
                        "財富傳承規劃",
                        [],
                    ),
                    ("interest-tax-planning", "Tax planning", "稅務規劃", []),
                ],
            ),
        ],
    ),
    (
        "investment-preference",
        "Investment preference",
        "投資偏好",
        [
            (
                "invest-deposits",
                "Deposits",
                "存款",
                [
                    ("invest-time-deposits", "Time deposits", "定期存款", []),
                    (
                        "invest-foreign-currency-deposits",
                        "Foreign-currency deposits",
                        "外幣存款",
                        [],
                    ),
                ],
            ),
            (
                "invest-fixed-income",
                "Fixed income",
                "固定收益",
                [
                    ("invest-government-bonds", "Government bonds", "政府公債", []),
                    ("invest-corporate-bonds", "Corporate bonds", "公司債", []),
                    ("invest-high-yield-bonds", "High-yield bonds", "高收益債", []),
                ],
            ),
            (
                "invest-equity",
                "Equity",
                "股票",
                [
                    ("invest-esg", "ESG", "ESG 永續投資", []),
                    ("invest-taiwan-equities", "Taiwan equities", "台股", []),
                    ("invest-us-equities", "US equities", "美股", []),
                    ("invest-japan-equities", "Japan equities", "日股", []),
                ],
            ),
            (
                "invest-funds",
                "Funds",
                "基金",
                [
                    ("invest-mutual-funds", "Mutual funds", "共同基金", []),
                    ("invest-etfs", "ETFs", "指數股票型基金（ETF）", []),
                    ("invest-monthly-income-funds", "Monthly-income funds", "月配息基金", []),
                ],
            ),
            ("invest-structured-products", "Structured products", "結構型商品", []),
            ("invest-derivatives", "Derivatives", "衍生性金融商品", []),
            (
                "invest-insurance",
                "Insurance",
                "保險",
                [
                    ("invest-savings-insurance", "Savings insurance", "儲蓄型保險", []),
                    (
                        "invest-investment-linked-insurance",
                        "Investment-linked insurance",
                        "投資型保單",
                        [],
                    ),
                ],
            ),
            (
                "invest-alternatives",
                "Alternatives",
                "另類投資",
                [
                    ("invest-private-equity", "Private equity", "私募股權", []),
                    ("invest-reits", "Real estate funds (REITs)", "不動產投資信託（REITs）", []),
                    ("invest-gold", "Gold", "黃金", []),
                ],
            ),
        ],
    ),
]


def _walk(nodes, parent_code=None):
    """Every (code, English, Chinese, parent code), parents before their children."""
    for code, label_en, label_zh_hant, children in nodes:
        yield code, label_en, label_zh_hant, parent_code
        yield from _walk(children, code)


def _next_path(Tag, parent):
    # The same scheme as contacts.services.tags._next_path, so terms an administrator added
    # before this migration ran keep their paths and ours go after them.
    last = Tag.objects.filter(parent=parent).aggregate(last=Max("path"))["last"]
    number = int(last[-(PATH_SEGMENT_WIDTH + 1) : -1]) + 1 if last else 1
    prefix = parent.path if parent else ""
    return f"{prefix}{number:0{PATH_SEGMENT_WIDTH}d}."


def seed(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    by_code = {}
    for code, label_en, label_zh_hant, parent_code in _walk(VOCABULARY):
        existing = Tag.objects.filter(code=code).first()
        if existing is not None:
            # Someone created this code by hand already: keep theirs.
            by_code[code] = existing
            continue
        parent = by_code[parent_code] if parent_code else None
        by_code[code] = Tag.objects.create(
            parent=parent,
            code=code,
            label_en=label_en,
            label_zh_hant=label_zh_hant,
            path=_next_path(Tag, parent),
            depth=parent.depth + 1 if parent else 0,
        )


def unseed(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    ContactTag = apps.get_model("contacts", "ContactTag")
    Organisation = apps.get_model("contacts", "Organisation")
    codes = [code for code, *_ in _walk(VOCABULARY)]
    in_use = ContactTag.objects.filter(tag__code__in=codes).exists() or (
        Organisation.objects.filter(industry__code__in=codes).exists()
    )
    if in_use:
        raise RuntimeError(
            "The seeded vocabulary is assigned to contacts or organisations; remove those "
            "assignments before unapplying contacts.0003_seed_vocabulary."
        )
    # Deepest first: a parent is protected while it has children.
    for tag in Tag.objects.filter(code__in=codes).order_by("-depth"):
        tag.delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_search_index")]

    operations = [migrations.RunPython(seed, unseed)]
