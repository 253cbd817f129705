"""The demo company's world as plain data: names, pages, topics, networks, referrers.

The demo tenant is "Nordlys Cloud", a Nordic B2B software company selling a project-planning
product to teams in Denmark, Norway, Sweden and the Netherlands. Its site lives on
www.nordlys.example (a reserved domain: nothing here points at a real site).
"""

from __future__ import annotations

COMPANY = "Nordlys Cloud"
SITE_HOST = "www.nordlys.example"
SITE_HOSTS = (SITE_HOST, "nordlys.example")
SITE = f"https://{SITE_HOST}"
COMPANY_CURRENCY = "EUR"
OTHER_CURRENCY = "DKK"
# EUR per DKK: the peg keeps it near 0.134.
DKK_RATE = 0.1341
TIME_ZONE = "Europe/Copenhagen"

DEMO_PASSWORD = "touchpoint-demo"  # the documented demo login
DEMO_USERS = (
    ("demo@touchpoint.local", "admin", "Dana", "Demo"),
    ("marketer@touchpoint.local", "marketer", "Mads", "Marketer"),
    ("viewer@touchpoint.local", "viewer", "Vera", "Viewer"),
)
TEAMS = ("Growth", "Brand & content")

# (path, name, weight when browsing, form kind shown on the page)
SITE_PAGES = (
    ("/", "Home", 0.22, "demo"),
    ("/pricing", "Pricing", 0.16, "contact"),
    ("/features", "Features", 0.14, "demo"),
    ("/integrations", "Integrations", 0.07, ""),
    ("/customers", "Customer stories", 0.07, ""),
    ("/security", "Security and GDPR", 0.04, ""),
    ("/about", "About us", 0.04, ""),
    ("/contact", "Contact sales", 0.06, "contact"),
    ("/careers", "Careers", 0.03, ""),
    ("/partners", "Partner program", 0.03, ""),
)
GLOBAL_FORMS = {
    "newsletter": ("Newsletter signup", "subscriber"),
    "contact": ("Contact sales", "lead"),
    "demo": ("Book a demo", "lead"),
}

TOPICS = (
    "resource planning",
    "project portfolios",
    "capacity forecasting",
    "hybrid teams",
    "agency workflows",
    "client reporting",
    "time tracking",
    "budget control",
    "sprint planning",
    "OKRs",
    "construction projects",
    "IT service delivery",
    "consulting margins",
    "GDPR-safe collaboration",
    "Gantt charts",
    "workload balancing",
    "project risk",
    "remote onboarding",
    "Kanban at scale",
    "retrospectives",
    "change management",
    "PMO dashboards",
    "utilisation rates",
    "cross-team dependencies",
    "stakeholder updates",
    "scope creep",
    "billable hours",
    "public-sector tenders",
    "ESG reporting projects",
    "AI in planning",
)
BLOG_TEMPLATES = (
    "How to get {topic} right",
    "7 mistakes teams make with {topic}",
    "{Topic}: a practical guide",
    "What Nordic teams taught us about {topic}",
    "The 2025 benchmark for {topic}",
    "A checklist for {topic}",
    "Why {topic} fails (and how to fix it)",
    "{Topic} in 15 minutes a week",
)
CITIES = (
    "Copenhagen",
    "Aarhus",
    "Oslo",
    "Bergen",
    "Stockholm",
    "Gothenburg",
    "Malmö",
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Helsinki",
    "Trondheim",
)
FEATURES = (
    "Portfolio view",
    "Capacity planner",
    "Timesheets 2.0",
    "Client portal",
    "AI assistant",
    "Budget tracker",
    "Mobile app",
    "Integrations hub",
)

# Campaign kinds: which assets a campaign of that kind carries.
CAMPAIGN_KINDS = ("launch", "webinar", "ebook", "roadshow", "promo", "nurture", "brand")
KIND_WEIGHTS = (0.18, 0.18, 0.18, 0.1, 0.16, 0.1, 0.1)
KIND_NAMES = {
    "launch": "Launch: {feature}",
    "webinar": "Webinar: {Topic}",
    "ebook": "Ebook: the guide to {topic}",
    "roadshow": "Roadshow {city}",
    "promo": "Free trial push: {topic}",
    "nurture": "Nurture: {topic} leads",
    "brand": "Brand awareness {city}",
}

SPEND_ITEMS = (
    "Agency retainer",
    "Content production",
    "Design and video",
    "Event venue",
    "Print material",
    "Influencer fee",
    "Translation",
)

FIRST_NAMES = (
    "Anders", "Mette", "Lars", "Sofie", "Mikkel", "Ida", "Rasmus", "Freja", "Jonas", "Emma",
    "Kasper", "Laura", "Henrik", "Camilla", "Søren", "Line", "Ole", "Nina", "Jesper", "Signe",
    "Ingrid", "Kari", "Bjørn", "Solveig", "Håkon", "Marit", "Eirik", "Silje", "Magnus", "Hanne",
    "Erik", "Astrid", "Johan", "Karin", "Oskar", "Elin", "Gustav", "Maja", "Nils", "Linnea",
    "Pieter", "Sanne", "Daan", "Femke", "Bram", "Lotte", "Joost", "Eva", "Sven", "Anouk",
    "Thomas", "Anna", "Martin", "Julia", "Peter", "Sara", "David", "Marie", "Daniel", "Lea",
    "Aksel", "Frida", "Tobias", "Vilde", "Emil", "Tuva", "Lukas", "Nora", "Jakob", "Clara",
)  # fmt: skip
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Johansen", "Berg", "Haugen", "Hagen", "Bakken", "Lie", "Dahl", "Lund", "Moen", "Solberg",
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Lindberg", "Lindqvist", "de Jong", "Jansen", "de Vries", "van den Berg",
    "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
    "Holm", "Falk", "Eklund", "Strand", "Nygaard", "Vestergaard", "Mortensen", "Frandsen",
)  # fmt: skip
COMPANY_PREFIXES = (
    "Nord", "Vest", "Øst", "Syd", "Fjord", "Havn", "Skov", "Berg", "Lys", "Elv", "Sol", "Is",
    "Storm", "Kyst", "Dal", "Fjell", "Polar", "Aurora", "Linde", "Eike", "Delta", "Polder",
    "Tulip", "Dijk", "Zee", "Gracht", "Molen", "Hav", "Vik", "Ask",
)  # fmt: skip
COMPANY_SUFFIXES = (
    "tech", "bygg", "data", "logistik", "consult", "media", "design", "energi", "bank",
    "finans", "soft", "works", "group", "labs", "partners", "systems", "health", "retail",
    "foods", "mobility",
)  # fmt: skip
COMPANY_TLDS = ("dk", "no", "se", "nl", "fi", "eu")

DEAL_PLANS = ("Team plan", "Business plan", "Enterprise plan", "Portfolio add-on", "Onboarding")
PIPELINES = ("default", "partner")

# Traffic: referrers per channel.
SEARCH_ENGINES = (
    ("https://www.google.com/", 0.46),
    ("https://www.google.dk/", 0.13),
    ("https://www.google.no/", 0.09),
    ("https://www.google.se/", 0.1),
    ("https://www.google.nl/", 0.08),
    ("https://www.bing.com/", 0.07),
    ("https://duckduckgo.com/", 0.04),
    ("https://www.ecosia.org/", 0.02),
    ("https://search.yahoo.com/", 0.01),
)
SOCIAL_REFERRERS = (
    ("linkedin", "https://www.linkedin.com/", 0.3),
    ("linkedin", "https://lnkd.in/", 0.08),
    ("facebook", "https://l.facebook.com/", 0.14),
    ("facebook", "https://m.facebook.com/", 0.06),
    ("x", "https://t.co/", 0.12),
    ("instagram", "https://l.instagram.com/", 0.1),
    ("youtube", "https://www.youtube.com/", 0.09),
    ("reddit", "https://www.reddit.com/", 0.05),
    ("tiktok", "https://www.tiktok.com/", 0.03),
    ("pinterest", "https://www.pinterest.com/", 0.03),
)
# Networks a campaign posts on (utm_source value, referrer).
SOCIAL_POST_NETWORKS = (
    ("linkedin", "https://www.linkedin.com/"),
    ("facebook", "https://l.facebook.com/"),
    ("twitter", "https://t.co/"),
    ("instagram", "https://l.instagram.com/"),
)
REFERRAL_SITES = (
    ("https://www.g2.com/products/nordlys-cloud/reviews", 0.2),
    ("https://www.capterra.com/p/nordlys-cloud/", 0.14),
    ("https://www.producthunt.com/products/nordlys", 0.06),
    ("https://news.ycombinator.com/item", 0.04),
    ("https://medium.com/@pmo-weekly/", 0.08),
    ("https://www.version2.dk/artikel/", 0.08),
    ("https://www.digi.no/artikler/", 0.08),
    ("https://www.breakit.se/artikel/", 0.07),
    ("https://www.emerce.nl/nieuws/", 0.07),
    ("https://www.marketingfacts.nl/", 0.05),
    ("https://partners.fjordconsult.example/blog/", 0.08),
    ("https://github.com/nordlys/", 0.05),
)
MAIL_REFERRERS = (
    "https://mail.google.com/",
    "https://outlook.live.com/",
    "https://outlook.office.com/",
    "https://feedly.com/",
    "android-app://com.google.android.gm",
)

# Tracking URLs: (name, utm_source, utm_medium) — email-ish ones classify as email marketing,
# the rest as other campaigns.
TRACKING_LINKS = (
    ("Partner newsletter", "fjordconsult", "email"),
    ("Podcast mention", "pmo-podcast", "audio"),
    ("QR code on print", "print", "qr"),
    ("Display banner", "computersweden", "display"),
    ("Slack community post", "pm-community", "community"),
)

KEYWORDS = (
    "project planning software",
    "resource planning tool",
    "capacity planning software",
    "project portfolio management",
    "gantt chart online",
    "timesheet app",
    "agency project management",
    "pmo dashboard",
    "workload management tool",
    "project management gdpr",
    "alternative to ms project",
    "team planning tool",
    "project budget software",
    "projektstyring software",
    "ressourceplanlægning",
    "prosjektstyring verktøy",
    "projektplanering program",
    "projectplanning software",
    "kanban board tool",
    "client portal software",
)
BRAND_KEYWORDS = ("nordlys cloud", "nordlys login", "nordlys pricing")
AD_GROUP_NAMES = {
    "facebook": ("Lookalike 1% DK", "Retargeting 30 days", "Interest: project management"),
    "linkedin": ("Job title: PMO", "Company size 200+", "Retargeting visitors"),
    "google": ("Generic", "Competitors", "Local language"),
}
AD_NAMES = ("Carousel", "Video 15s", "Single image", "Customer quote", "Text ad")
