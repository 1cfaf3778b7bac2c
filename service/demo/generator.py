"""A deterministic demo population of mentees and mentors for Kickoff.

Everything comes from one ``random.Random(random_state)``: no clock. The taxonomy slugs
come from the seed migration (:mod:`service.taxonomy.seedfile`), the one place the taxonomy
is written down; the other slugs named here must exist there (a unit test checks this).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from service.taxonomy.seedfile import seed_slugs

T = TypeVar("T")

EMAIL_DOMAIN = "demo.kickoff.example"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = DAYS[:5]
WEEKEND = DAYS[5:]

# --- Taxonomy slugs, in seed order (the draws depend on that order) ----------------------

SKILLS = seed_slugs("skill")
TOOLS = seed_slugs("tool")
CERTIFICATIONS = seed_slugs("certification")
GOALS = seed_slugs("goal")
INDUSTRIES = seed_slugs("industry")

# Free-text skills some people type that are deliberately not in the taxonomy.
CUSTOM_SKILLS: tuple[str, ...] = (
    "SAP rollout",
    "Salesforce implementation",
    "Clinical trials coordination",
    "Mainframe decommissioning",
    "PCI DSS compliance",
    "Network rollouts",
    "ISO 27001 audits",
    "Event planning",
)

# --- Human wording for bios and headlines ------------------------------------------------

_SKILL_WORDS: dict[str, str] = {
    "scrum": "Scrum",
    "kanban": "Kanban",
    "lean": "Lean",
    "safe": "SAFe",
    "okr": "OKRs",
    "it-service-management": "IT service management",
    "devops-practices": "DevOps practices",
    "erp-implementation": "ERP implementation",
    "pmo-setup": "setting up a PMO",
    "business-case": "business cases",
    "earned-value": "earned value",
    "user-stories": "user stories",
    "interviewing": "interview preparation",
    "facilitation": "workshop facilitation",
    "data-projects": "data projects",
}

TOOL_LABELS: dict[str, str] = {
    "ms-project": "MS Project",
    "ms-planner": "Planner",
    "jira": "Jira",
    "confluence": "Confluence",
    "trello": "Trello",
    "asana": "Asana",
    "monday": "monday.com",
    "smartsheet": "Smartsheet",
    "clickup": "ClickUp",
    "wrike": "Wrike",
    "basecamp": "Basecamp",
    "notion": "Notion",
    "airtable": "Airtable",
    "linear": "Linear",
    "azure-devops": "Azure DevOps",
    "github": "GitHub",
    "gitlab": "GitLab",
    "servicenow": "ServiceNow",
    "primavera-p6": "Primavera P6",
    "planview": "Planview",
    "excel": "Excel",
    "power-bi": "Power BI",
    "tableau": "Tableau",
    "sharepoint": "SharePoint",
    "google-workspace": "Google Workspace",
    "slack": "Slack",
    "teams": "Teams",
    "zoom": "Zoom",
    "miro": "Miro",
    "lucidchart": "Lucidchart",
}

CERT_LABELS: dict[str, str] = {
    "pmp": "PMP",
    "capm": "CAPM",
    "pmi-acp": "PMI-ACP",
    "pmi-rmp": "PMI-RMP",
    "pgmp": "PgMP",
    "prince2-foundation": "PRINCE2 Foundation",
    "prince2-practitioner": "PRINCE2 Practitioner",
    "prince2-agile": "PRINCE2 Agile",
    "psm-i": "PSM I",
    "psm-ii": "PSM II",
    "pspo-i": "PSPO I",
    "csm": "CSM",
    "cspo": "CSPO",
    "safe-agilist": "SAFe Agilist",
    "comptia-project-plus": "CompTIA Project+",
    "itil-4-foundation": "ITIL 4 Foundation",
    "apm-pfq": "APM PFQ",
    "apm-pmq": "APM PMQ",
    "ipma-level-d": "IPMA Level D",
    "google-pm-certificate": "Google PM Certificate",
    "aws-cloud-practitioner": "AWS Cloud Practitioner",
}

GOAL_PHRASES: dict[str, str] = {
    "first-pm-job": "landing my first PM job",
    "internship": "finding a PM internship",
    "earn-pmp": "passing the PMP",
    "earn-capm": "passing the CAPM",
    "earn-prince2": "getting PRINCE2 certified",
    "earn-agile-certification": "earning an agile certification",
    "earn-itil": "passing ITIL 4 Foundation",
    "move-to-agile": "moving to agile ways of working",
    "become-scrum-master": "becoming a Scrum Master",
    "become-product-owner": "becoming a Product Owner",
    "become-programme-manager": "stepping up to programme management",
    "join-a-pmo": "joining a PMO",
    "build-portfolio": "building a portfolio of project work",
    "volunteer-project-experience": "running a volunteer project",
    "grow-network": "growing my network",
    "develop-leadership": "developing as a leader",
    "career-change-from-engineering": "moving from engineering into project management",
    "career-change-other-field": "changing career into IT project management",
    "master-pm-tools": "getting fluent with the main PM tools",
    "improve-stakeholder-skills": "handling stakeholders with more confidence",
    "prepare-interviews": "preparing for PM interviews",
    "manage-remote-teams": "learning to lead remote teams",
    "salary-negotiation": "negotiating my next offer",
}

# (in "the ... sector" form for bios, noun for "at a Lisbon ..." headlines)
INDUSTRY_WORDS: dict[str, tuple[str, str]] = {
    "fintech": ("fintech", "fintech"),
    "banking": ("banking", "bank"),
    "insurance": ("insurance", "insurer"),
    "healthcare": ("healthcare", "health provider"),
    "pharma": ("life sciences", "biotech"),
    "public-sector": ("the public sector", "public-sector agency"),
    "telecoms": ("telecoms", "telco"),
    "e-commerce": ("e-commerce", "online retailer"),
    "consulting": ("consulting", "consultancy"),
    "saas": ("SaaS", "SaaS company"),
    "manufacturing": ("manufacturing", "manufacturer"),
    "automotive": ("automotive", "carmaker"),
    "energy": ("energy", "energy company"),
    "logistics": ("logistics", "logistics firm"),
    "education": ("education", "education provider"),
    "media": ("media", "media group"),
    "gaming": ("gaming", "games studio"),
    "travel": ("travel", "travel company"),
    "non-profit": ("the non-profit sector", "charity"),
}

# --- Employers (fictional) ---------------------------------------------------------------

EMPLOYERS: tuple[tuple[str, str], ...] = (
    ("Bluefin Payments", "fintech"),
    ("Ledgerline", "fintech"),
    ("Coinrail", "fintech"),
    ("Kestrel Bank", "banking"),
    ("Harbourline Financial", "banking"),
    ("Northgate Insurance", "insurance"),
    ("Copperleaf Mutual", "insurance"),
    ("Corvid Health", "healthcare"),
    ("Meridian Care Systems", "healthcare"),
    ("Redwood Health Network", "healthcare"),
    ("Helix BioLabs", "pharma"),
    ("Civic Digital Agency", "public-sector"),
    ("Metro Council Digital", "public-sector"),
    ("Tidewave Telecom", "telecoms"),
    ("Orbitel Mobile", "telecoms"),
    ("Basketful", "e-commerce"),
    ("Mosaic Retail Group", "e-commerce"),
    ("Atlas & Finch Consulting", "consulting"),
    ("Brightbridge Partners", "consulting"),
    ("Quantia IT Services", "consulting"),
    ("Sparrow Systems", "consulting"),
    ("Cloudnest", "saas"),
    ("Stacklane", "saas"),
    ("Tallyhub", "saas"),
    ("Pinecrest Software", "saas"),
    ("Nimbus Analytics", "saas"),
    ("Ironwood Manufacturing", "manufacturing"),
    ("Vantor Motors", "automotive"),
    ("Solstice Energy", "energy"),
    ("Greenfield Utilities", "energy"),
    ("Cargoline Logistics", "logistics"),
    ("Swiftport Freight", "logistics"),
    ("Brightpath Learning", "education"),
    ("Northbridge University", "education"),
    ("Lumen Media", "media"),
    ("Pixelforge Studios", "gaming"),
    ("Wayfarer Travel", "travel"),
    ("Harbour Hotels Group", "travel"),
    ("OpenHands Foundation", "non-profit"),
    ("Kindred Aid", "non-profit"),
)

# --- Names by culture: (first names, last names) -----------------------------------------

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pt": (
        (
            "Ana",
            "João",
            "Inês",
            "Tiago",
            "Mariana",
            "Rui",
            "Beatriz",
            "Pedro",
            "Catarina",
            "Miguel",
            "Sofia",
            "Diogo",
            "Joana",
            "Gonçalo",
            "Rita",
            "Nuno",
        ),
        (
            "Silva",
            "Santos",
            "Ferreira",
            "Pereira",
            "Oliveira",
            "Costa",
            "Rodrigues",
            "Martins",
            "Sousa",
            "Fernandes",
            "Gonçalves",
            "Carvalho",
            "Lopes",
            "Marques",
        ),
    ),
    "br": (
        (
            "Lucas",
            "Juliana",
            "Gabriel",
            "Camila",
            "Rafael",
            "Larissa",
            "Thiago",
            "Fernanda",
            "Mateus",
            "Bruna",
            "Felipe",
            "Letícia",
            "Gustavo",
            "Aline",
        ),
        (
            "Souza",
            "Lima",
            "Almeida",
            "Ribeiro",
            "Barbosa",
            "Araújo",
            "Cavalcanti",
            "Nascimento",
            "Moreira",
            "Rocha",
            "Teixeira",
            "Mendes",
            "Carvalho",
            "Dias",
        ),
    ),
    "es": (
        (
            "Lucía",
            "Javier",
            "María",
            "Carlos",
            "Elena",
            "Pablo",
            "Carmen",
            "Alejandro",
            "Laura",
            "Sergio",
            "Marta",
            "Daniel",
            "Paula",
            "Álvaro",
            "Núria",
            "Jordi",
        ),
        (
            "García",
            "Martínez",
            "López",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Fernández",
            "Ruiz",
            "Díaz",
            "Moreno",
            "Jiménez",
            "Romero",
            "Navarro",
            "Torres",
            "Puig",
            "Serra",
        ),
    ),
    "en": (
        (
            "Emma",
            "James",
            "Olivia",
            "Thomas",
            "Sophie",
            "Daniel",
            "Charlotte",
            "Oliver",
            "Hannah",
            "Jack",
            "Grace",
            "Matthew",
            "Emily",
            "Ryan",
            "Megan",
            "Chris",
            "Lauren",
            "Michael",
            "Jessica",
            "David",
        ),
        (
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Johnson",
            "Davies",
            "Evans",
            "Thomas",
            "Roberts",
            "Walker",
            "Wright",
            "Thompson",
            "Hughes",
            "Clarke",
            "Miller",
            "Anderson",
            "Baker",
            "Mitchell",
        ),
    ),
    "ie": (
        (
            "Aoife",
            "Ciarán",
            "Niamh",
            "Seán",
            "Siobhán",
            "Conor",
            "Orla",
            "Darragh",
            "Róisín",
            "Eoin",
            "Sinéad",
            "Cian",
        ),
        (
            "Murphy",
            "Kelly",
            "O'Sullivan",
            "Walsh",
            "O'Brien",
            "Byrne",
            "Ryan",
            "O'Connor",
            "Doyle",
            "McCarthy",
            "Gallagher",
            "Kennedy",
        ),
    ),
    "de": (
        (
            "Lena",
            "Jonas",
            "Anna",
            "Lukas",
            "Laura",
            "Felix",
            "Julia",
            "Maximilian",
            "Katharina",
            "Paul",
            "Sarah",
            "Tobias",
            "Miriam",
            "Jan",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Wolf",
            "Krüger",
        ),
    ),
    "fr": (
        (
            "Camille",
            "Louis",
            "Chloé",
            "Hugo",
            "Léa",
            "Antoine",
            "Manon",
            "Julien",
            "Élodie",
            "Nicolas",
            "Clémence",
            "Mathieu",
            "Amélie",
            "Théo",
        ),
        (
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
            "Lefèvre",
            "Girard",
            "Fontaine",
            "Tremblay",
        ),
    ),
    "nl": (
        (
            "Sanne",
            "Daan",
            "Lotte",
            "Bram",
            "Femke",
            "Thijs",
            "Anouk",
            "Joris",
            "Eva",
            "Ruben",
            "Maud",
            "Sem",
        ),
        (
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
            "Bos",
            "Vos",
        ),
    ),
    "pl": (
        (
            "Anna",
            "Piotr",
            "Katarzyna",
            "Tomasz",
            "Magdalena",
            "Paweł",
            "Agnieszka",
            "Michał",
            "Joanna",
            "Krzysztof",
            "Aleksandra",
            "Łukasz",
            "Zofia",
            "Jakub",
        ),
        (
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
        ),
    ),
    "yoruba": (
        (
            "Adebayo",
            "Funmilayo",
            "Oluwaseun",
            "Temitope",
            "Babatunde",
            "Folake",
            "Adewale",
            "Yetunde",
            "Olumide",
            "Bukola",
            "Tunde",
            "Ayomide",
        ),
        (
            "Adeyemi",
            "Okonkwo",
            "Balogun",
            "Adebisi",
            "Ogunleye",
            "Oyelaran",
            "Afolabi",
            "Adeleke",
            "Ogundipe",
            "Olatunji",
            "Akinola",
            "Bello",
        ),
    ),
    "igbo": (
        (
            "Chinedu",
            "Ngozi",
            "Emeka",
            "Adaeze",
            "Obinna",
            "Chiamaka",
            "Ikenna",
            "Nkechi",
            "Chukwuemeka",
            "Ifeoma",
        ),
        (
            "Okafor",
            "Eze",
            "Nwosu",
            "Obi",
            "Okeke",
            "Chukwu",
            "Nnamdi",
            "Onyekachi",
            "Uzor",
            "Anyanwu",
        ),
    ),
    "kenyan": (
        (
            "Wanjiru",
            "Kamau",
            "Akinyi",
            "Otieno",
            "Njeri",
            "Kiprono",
            "Achieng",
            "Mwangi",
            "Wambui",
            "Omondi",
            "Chebet",
            "Kipchoge",
        ),
        (
            "Kariuki",
            "Odhiambo",
            "Mutua",
            "Wafula",
            "Njoroge",
            "Ochieng",
            "Kiptoo",
            "Muthoni",
            "Onyango",
            "Gitau",
            "Rotich",
            "Wekesa",
        ),
    ),
    "indian_north": (
        (
            "Priya",
            "Rahul",
            "Ananya",
            "Arjun",
            "Neha",
            "Vikram",
            "Pooja",
            "Rohan",
            "Kavya",
            "Amit",
            "Shreya",
            "Karan",
            "Aditi",
            "Sanjay",
        ),
        (
            "Sharma",
            "Gupta",
            "Verma",
            "Singh",
            "Agarwal",
            "Mehta",
            "Kapoor",
            "Malhotra",
            "Chopra",
            "Bansal",
            "Joshi",
            "Saxena",
        ),
    ),
    "indian_south": (
        (
            "Lakshmi",
            "Karthik",
            "Divya",
            "Suresh",
            "Meera",
            "Vijay",
            "Anjali",
            "Ravi",
            "Deepa",
            "Arun",
            "Sneha",
            "Prakash",
        ),
        (
            "Iyer",
            "Reddy",
            "Nair",
            "Rao",
            "Krishnan",
            "Subramanian",
            "Menon",
            "Pillai",
            "Hegde",
            "Shetty",
            "Gowda",
            "Raman",
        ),
    ),
    "marathi": (
        (
            "Aarti",
            "Sachin",
            "Snehal",
            "Rohit",
            "Prajakta",
            "Omkar",
            "Manasi",
            "Nikhil",
            "Rutuja",
            "Aniket",
        ),
        (
            "Patil",
            "Deshpande",
            "Kulkarni",
            "Jadhav",
            "Pawar",
            "Joshi",
            "Gokhale",
            "Shinde",
            "Bhosale",
            "Kale",
        ),
    ),
    "chinese": (
        (
            "Wei Ming",
            "Mei Ling",
            "Jia Hui",
            "Zhi Hao",
            "Xin Yi",
            "Jun Jie",
            "Hui Min",
            "Kai Wen",
            "Li Na",
            "Yu Xuan",
        ),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Goh", "Chua", "Zhang", "Liu"),
    ),
    "malay": (
        ("Nurul", "Ahmad", "Siti", "Muhammad", "Aisyah", "Hafiz", "Farah", "Iskandar"),
        ("Rahman", "Ismail", "Hassan", "Abdullah", "Yusof", "Ibrahim", "Osman", "Salleh"),
    ),
    "filipino": (
        (
            "Maria",
            "Jose",
            "Angelica",
            "Mark",
            "Kristine",
            "Paolo",
            "Jasmine",
            "Carlo",
            "Patricia",
            "Miguel",
            "Bea",
            "Rafael",
        ),
        (
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Ocampo",
            "Garcia",
            "Mendoza",
            "Villanueva",
            "Dela Cruz",
            "Ramos",
            "Aquino",
            "Castillo",
        ),
    ),
    "arabic": (
        (
            "Omar",
            "Fatima",
            "Ahmed",
            "Layla",
            "Khalid",
            "Mariam",
            "Yousef",
            "Noura",
            "Hassan",
            "Aisha",
            "Rashid",
            "Huda",
        ),
        (
            "Al Mansoori",
            "Al Hashimi",
            "Haddad",
            "Khoury",
            "Al Suwaidi",
            "Nasser",
            "Saleh",
            "Al Falasi",
            "Aziz",
            "Hamdan",
            "Farouk",
            "Qasim",
        ),
    ),
    "hispanic_us": (
        ("Alejandra", "Diego", "Gabriela", "José", "Valeria", "Luis", "Daniela", "Andrés"),
        ("Hernández", "Rodríguez", "Ramírez", "Flores", "Vargas", "Castillo", "Morales", "Ortiz"),
    ),
}

# --- Places: (country, city, IANA timezone, weight, [(culture, weight, local languages, P(en))])

Culture = tuple[str, int, tuple[str, ...], float]

CITIES: tuple[tuple[str, str, str, int, tuple[Culture, ...]], ...] = (
    ("PT", "Lisbon", "Europe/Lisbon", 6, (("pt", 1, ("pt",), 0.93),)),
    ("PT", "Porto", "Europe/Lisbon", 3, (("pt", 1, ("pt",), 0.9),)),
    ("ES", "Madrid", "Europe/Madrid", 3, (("es", 1, ("es",), 0.9),)),
    ("ES", "Barcelona", "Europe/Madrid", 2, (("es", 1, ("es", "ca"), 0.92),)),
    (
        "GB",
        "London",
        "Europe/London",
        8,
        (
            ("en", 6, (), 1.0),
            ("indian_north", 1, ("hi",), 1.0),
            ("pl", 1, ("pl",), 1.0),
            ("yoruba", 1, ("yo",), 1.0),
        ),
    ),
    (
        "GB",
        "Manchester",
        "Europe/London",
        4,
        (("en", 5, (), 1.0), ("indian_north", 1, ("hi",), 1.0)),
    ),
    ("GB", "Edinburgh", "Europe/London", 2, (("en", 1, (), 1.0),)),
    ("IE", "Dublin", "Europe/Dublin", 3, (("ie", 4, (), 1.0), ("pl", 1, ("pl",), 1.0))),
    ("DE", "Berlin", "Europe/Berlin", 4, (("de", 1, ("de",), 0.93),)),
    ("DE", "Munich", "Europe/Berlin", 2, (("de", 1, ("de",), 0.9),)),
    ("FR", "Paris", "Europe/Paris", 3, (("fr", 1, ("fr",), 0.88),)),
    ("NL", "Amsterdam", "Europe/Amsterdam", 3, (("nl", 1, ("nl",), 1.0),)),
    ("PL", "Warsaw", "Europe/Warsaw", 3, (("pl", 1, ("pl",), 0.93),)),
    ("PL", "Kraków", "Europe/Warsaw", 2, (("pl", 1, ("pl",), 0.93),)),
    ("NG", "Lagos", "Africa/Lagos", 4, (("yoruba", 2, ("yo",), 1.0), ("igbo", 1, ("ig",), 1.0))),
    ("KE", "Nairobi", "Africa/Nairobi", 3, (("kenyan", 1, ("sw",), 1.0),)),
    (
        "IN",
        "Bengaluru",
        "Asia/Kolkata",
        6,
        (("indian_south", 2, ("kn", "hi"), 1.0), ("indian_north", 1, ("hi",), 1.0)),
    ),
    (
        "IN",
        "Pune",
        "Asia/Kolkata",
        3,
        (("marathi", 2, ("mr", "hi"), 1.0), ("indian_north", 1, ("hi",), 1.0)),
    ),
    (
        "US",
        "New York",
        "America/New_York",
        5,
        (
            ("en", 5, (), 1.0),
            ("hispanic_us", 1, ("es",), 1.0),
            ("indian_north", 1, ("hi",), 1.0),
            ("chinese", 1, ("zh",), 1.0),
        ),
    ),
    ("US", "Chicago", "America/Chicago", 3, (("en", 4, (), 1.0), ("hispanic_us", 1, ("es",), 1.0))),
    ("US", "Austin", "America/Chicago", 2, (("en", 3, (), 1.0), ("hispanic_us", 2, ("es",), 1.0))),
    (
        "US",
        "San Francisco",
        "America/Los_Angeles",
        3,
        (("en", 3, (), 1.0), ("chinese", 1, ("zh",), 1.0), ("indian_south", 1, ("ta",), 1.0)),
    ),
    (
        "CA",
        "Toronto",
        "America/Toronto",
        3,
        (("en", 3, (), 1.0), ("fr", 1, ("fr",), 1.0), ("chinese", 1, ("zh",), 1.0)),
    ),
    ("BR", "São Paulo", "America/Sao_Paulo", 4, (("br", 1, ("pt",), 0.85),)),
    (
        "AU",
        "Sydney",
        "Australia/Sydney",
        3,
        (("en", 4, (), 1.0), ("chinese", 1, ("zh",), 1.0), ("indian_north", 1, ("hi",), 1.0)),
    ),
    (
        "SG",
        "Singapore",
        "Asia/Singapore",
        3,
        (
            ("chinese", 3, ("zh",), 1.0),
            ("malay", 1, ("ms",), 1.0),
            ("indian_south", 1, ("ta",), 1.0),
        ),
    ),
    ("PH", "Manila", "Asia/Manila", 3, (("filipino", 1, ("tl",), 1.0),)),
    (
        "AE",
        "Dubai",
        "Asia/Dubai",
        3,
        (
            ("arabic", 2, ("ar",), 0.97),
            ("indian_north", 2, ("hi",), 1.0),
            ("filipino", 1, ("tl",), 1.0),
            ("en", 1, (), 1.0),
        ),
    ),
)
_EXTRA_LANGUAGES = ("es", "fr", "de", "it", "pt")

# --- Roles -------------------------------------------------------------------------------

# Mentee roles: (title, background, employer industries or () for any)
MENTEE_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("QA engineer", "engineering", ()),
    ("Software developer", "engineering", ()),
    ("Front-end developer", "engineering", ()),
    ("IT support analyst", "engineering", ()),
    ("Data analyst", "engineering", ()),
    ("DevOps engineer", "engineering", ("saas", "fintech", "telecoms", "consulting", "gaming")),
    ("Systems administrator", "engineering", ()),
    ("Business analyst", "it", ()),
    ("Junior project coordinator", "it", ()),
    ("Project administrator", "it", ()),
    ("PMO analyst", "it", ()),
    ("Graduate trainee", "it", ()),
    ("Service desk team lead", "it", ()),
    ("Technical writer", "it", ("saas", "consulting", "gaming", "telecoms")),
    ("Secondary school teacher", "other", ("education",)),
    ("Nurse", "other", ("healthcare",)),
    ("Store manager", "other", ("e-commerce",)),
    ("Hotel operations supervisor", "other", ("travel",)),
    ("Marketing executive", "other", ()),
    ("Logistics coordinator", "other", ("logistics", "manufacturing", "e-commerce")),
    ("Event producer", "other", ("media", "travel", "non-profit")),
    ("Civil engineer", "other", ("energy", "manufacturing", "public-sector")),
    ("Accountant", "other", ("banking", "insurance", "consulting")),
    ("Customer success manager", "other", ("saas", "fintech")),
)

_BACKGROUND_SKILLS: dict[str, tuple[str, ...]] = {
    "engineering": (
        "software-delivery",
        "devops-practices",
        "estimation",
        "quality-management",
        "agile-delivery",
        "scrum",
        "requirements-gathering",
        "release-management",
    ),
    "it": (
        "reporting",
        "scheduling",
        "requirements-gathering",
        "stakeholder-communication",
        "risk-management",
        "scrum",
        "kanban",
        "time-management",
    ),
    "other": (
        "leadership",
        "stakeholder-communication",
        "budgeting",
        "scheduling",
        "conflict-resolution",
        "negotiation",
        "public-speaking",
        "time-management",
        "facilitation",
        "vendor-management",
    ),
}

# Skills a newcomer is unlikely to claim; mentees' random extra skills avoid them.
_SENIOR_SKILLS = frozenset(
    {
        "programme-management",
        "portfolio-management",
        "pmo-setup",
        "earned-value",
        "benefits-realisation",
        "governance",
        "contract-management",
        "procurement",
        "safe",
        "servant-leadership",
        "mentoring",
    }
)
_JUNIOR_SKILLS = tuple(s for s in SKILLS if s not in _SENIOR_SKILLS)

_BACKGROUND_TOOLS: dict[str, tuple[str, ...]] = {
    "engineering": ("jira", "github", "gitlab", "azure-devops", "confluence", "slack", "linear"),
    "it": ("excel", "jira", "ms-project", "confluence", "servicenow", "sharepoint", "teams"),
    "other": ("excel", "google-workspace", "trello", "asana", "teams", "zoom", "notion"),
}

# Mentor roles: (title, headline short title, min years, core skills, core certs, core tools)
MENTOR_ROLES: tuple[
    tuple[str, str, int, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...
] = (
    (
        "Senior IT project manager",
        "Senior PM",
        5,
        (
            "risk-management",
            "scheduling",
            "budgeting",
            "stakeholder-communication",
            "scope-management",
            "vendor-management",
            "waterfall",
            "hybrid-delivery",
        ),
        ("pmp", "prince2-practitioner", "prince2-foundation", "pmi-rmp"),
        ("ms-project", "jira", "excel", "confluence", "teams", "smartsheet"),
    ),
    (
        "IT project manager",
        "IT project manager",
        5,
        (
            "scheduling",
            "risk-management",
            "stakeholder-communication",
            "reporting",
            "estimation",
            "requirements-gathering",
            "hybrid-delivery",
        ),
        ("pmp", "prince2-foundation", "capm", "itil-4-foundation"),
        ("ms-project", "jira", "excel", "teams", "sharepoint", "asana"),
    ),
    (
        "Programme manager",
        "Programme manager",
        10,
        (
            "programme-management",
            "governance",
            "benefits-realisation",
            "dependency-management",
            "leadership",
            "budgeting",
            "business-case",
        ),
        ("pmp", "pgmp", "prince2-practitioner", "safe-agilist"),
        ("ms-project", "smartsheet", "power-bi", "excel", "sharepoint"),
    ),
    (
        "Delivery manager",
        "Delivery manager",
        5,
        (
            "agile-delivery",
            "software-delivery",
            "release-management",
            "kanban",
            "stakeholder-communication",
            "devops-practices",
            "remote-team-management",
        ),
        ("psm-i", "pmi-acp", "csm", "prince2-agile"),
        ("jira", "confluence", "azure-devops", "miro", "slack"),
    ),
    (
        "Agile coach",
        "Agile coach",
        8,
        (
            "scrum",
            "kanban",
            "servant-leadership",
            "facilitation",
            "retrospectives",
            "agile-delivery",
            "lean",
            "safe",
            "mentoring",
        ),
        ("psm-ii", "psm-i", "csm", "safe-agilist", "pmi-acp"),
        ("jira", "miro", "confluence", "trello"),
    ),
    (
        "Scrum master",
        "Scrum master",
        5,
        (
            "scrum",
            "facilitation",
            "servant-leadership",
            "retrospectives",
            "user-stories",
            "conflict-resolution",
            "kanban",
        ),
        ("psm-i", "psm-ii", "csm"),
        ("jira", "miro", "confluence", "slack"),
    ),
    (
        "PMO lead",
        "PMO lead",
        8,
        (
            "pmo-setup",
            "reporting",
            "governance",
            "portfolio-management",
            "resource-planning",
            "quality-management",
        ),
        ("pmp", "prince2-practitioner", "apm-pmq"),
        ("power-bi", "excel", "planview", "servicenow", "sharepoint", "smartsheet"),
    ),
    (
        "Portfolio manager",
        "Portfolio manager",
        12,
        (
            "portfolio-management",
            "business-case",
            "okr",
            "governance",
            "benefits-realisation",
            "resource-planning",
        ),
        ("pmp", "pgmp", "prince2-practitioner"),
        ("planview", "power-bi", "excel", "servicenow"),
    ),
    (
        "Technical programme manager",
        "TPM",
        8,
        (
            "programme-management",
            "software-delivery",
            "cloud-migration-projects",
            "devops-practices",
            "dependency-management",
            "risk-management",
        ),
        ("pmp", "aws-cloud-practitioner", "safe-agilist", "psm-i"),
        ("jira", "github", "confluence", "linear", "slack"),
    ),
    (
        "Product owner",
        "Product owner",
        5,
        (
            "product-ownership",
            "user-stories",
            "requirements-gathering",
            "okr",
            "stakeholder-communication",
        ),
        ("cspo", "pspo-i", "psm-i"),
        ("jira", "confluence", "miro", "notion", "airtable"),
    ),
    (
        "Head of delivery",
        "Head of delivery",
        14,
        (
            "leadership",
            "portfolio-management",
            "governance",
            "mentoring",
            "negotiation",
            "remote-team-management",
            "resource-planning",
        ),
        ("pmp", "safe-agilist", "prince2-practitioner", "pmi-acp"),
        ("jira", "power-bi", "teams", "slack"),
    ),
    (
        "IT service delivery manager",
        "Service delivery manager",
        6,
        (
            "it-service-management",
            "vendor-management",
            "quality-management",
            "reporting",
            "change-management",
            "contract-management",
        ),
        ("itil-4-foundation", "prince2-foundation", "pmp"),
        ("servicenow", "excel", "teams", "power-bi"),
    ),
    (
        "ERP programme lead",
        "ERP programme lead",
        10,
        (
            "erp-implementation",
            "change-management",
            "vendor-management",
            "requirements-gathering",
            "scheduling",
            "procurement",
        ),
        ("pmp", "prince2-practitioner", "apm-pmq"),
        ("ms-project", "smartsheet", "excel", "sharepoint", "primavera-p6"),
    ),
    (
        "Release train engineer",
        "RTE",
        8,
        ("safe", "agile-delivery", "facilitation", "dependency-management", "release-management"),
        ("safe-agilist", "psm-i", "pmi-acp"),
        ("jira", "confluence", "miro", "azure-devops"),
    ),
    (
        "Data programme manager",
        "Data programme manager",
        8,
        (
            "data-projects",
            "programme-management",
            "stakeholder-communication",
            "risk-management",
            "agile-delivery",
        ),
        ("pmp", "psm-i", "aws-cloud-practitioner"),
        ("jira", "tableau", "power-bi", "confluence", "lucidchart"),
    ),
    (
        "Security programme manager",
        "Security PM",
        8,
        (
            "cybersecurity-projects",
            "governance",
            "risk-management",
            "vendor-management",
            "reporting",
        ),
        ("pmp", "pmi-rmp", "itil-4-foundation"),
        ("jira", "servicenow", "excel", "confluence"),
    ),
)

# Certifications that suit the local market, added on top of the role's.
_REGIONAL_CERTS: dict[str, tuple[str, ...]] = {
    "GB": ("apm-pmq", "apm-pfq", "prince2-practitioner", "prince2-agile"),
    "IE": ("prince2-practitioner", "apm-pmq"),
    "AU": ("prince2-practitioner", "prince2-foundation"),
    "DE": ("ipma-level-d", "prince2-foundation"),
    "NL": ("ipma-level-d", "prince2-foundation"),
    "PL": ("ipma-level-d", "prince2-foundation"),
    "FR": ("ipma-level-d",),
}
# Roles already at programme level or above: "become a programme manager" makes no sense.
_PROGRAMME_LEVEL = frozenset(
    {
        "Programme manager",
        "Portfolio manager",
        "Head of delivery",
        "Technical programme manager",
        "ERP programme lead",
        "Data programme manager",
        "Security programme manager",
    }
)
_GENERAL_MENTOR_CERTS = (
    "pmp",
    "itil-4-foundation",
    "psm-i",
    "pmi-acp",
    "prince2-foundation",
    "safe-agilist",
    "pmi-rmp",
)
_GENERAL_MENTOR_SKILLS = (
    "mentoring",
    "public-speaking",
    "negotiation",
    "leadership",
    "estimation",
    "interviewing",
    "exam-preparation",
    "conflict-resolution",
    "remote-team-management",
)

_MENTEE_HELD = (
    ("capm", 4),
    ("google-pm-certificate", 5),
    ("psm-i", 2),
    ("prince2-foundation", 2),
    ("itil-4-foundation", 2),
    ("comptia-project-plus", 1),
    ("apm-pfq", 1),
    ("aws-cloud-practitioner", 1),
)
_MENTEE_TARGETS = (
    ("pmp", 5),
    ("capm", 6),
    ("prince2-foundation", 4),
    ("psm-i", 4),
    ("csm", 3),
    ("pmi-acp", 2),
    ("safe-agilist", 1),
    ("google-pm-certificate", 3),
    ("itil-4-foundation", 1),
    ("comptia-project-plus", 1),
    ("pspo-i", 1),
    ("cspo", 1),
    ("apm-pfq", 1),
)
_CERT_GOAL = {
    "pmp": "earn-pmp",
    "capm": "earn-capm",
    "prince2-foundation": "earn-prince2",
    "prince2-practitioner": "earn-prince2",
    "prince2-agile": "earn-prince2",
    "psm-i": "earn-agile-certification",
    "psm-ii": "earn-agile-certification",
    "csm": "earn-agile-certification",
    "pmi-acp": "earn-agile-certification",
    "safe-agilist": "earn-agile-certification",
    "pspo-i": "earn-agile-certification",
    "cspo": "earn-agile-certification",
    "itil-4-foundation": "earn-itil",
}
# Goals a mentee may pick freely (the earn-* goals follow from certification targets).
_MENTEE_GOALS = (
    ("first-pm-job", 10),
    ("internship", 3),
    ("move-to-agile", 4),
    ("become-scrum-master", 3),
    ("become-product-owner", 2),
    ("join-a-pmo", 2),
    ("build-portfolio", 4),
    ("volunteer-project-experience", 3),
    ("grow-network", 5),
    ("develop-leadership", 2),
    ("master-pm-tools", 4),
    ("improve-stakeholder-skills", 4),
    ("prepare-interviews", 5),
    ("manage-remote-teams", 1),
    ("salary-negotiation", 2),
)
_MENTOR_GOALS = (
    ("become-programme-manager", 5),
    ("develop-leadership", 3),
    ("grow-network", 3),
    ("manage-remote-teams", 1),
    ("earn-agile-certification", 1),
    ("earn-pmp", 1),
)
_MENTEE_TOOLS = (
    ("excel", 6),
    ("jira", 5),
    ("trello", 4),
    ("google-workspace", 4),
    ("teams", 4),
    ("slack", 3),
    ("zoom", 2),
    ("asana", 2),
    ("notion", 2),
    ("confluence", 2),
    ("miro", 2),
    ("ms-project", 2),
    ("monday", 1),
    ("clickup", 1),
    ("ms-planner", 1),
    ("airtable", 1),
)

# --- Helpers -----------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int | float]]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _sample(
    rng: random.Random, items: Sequence[T], k: int, weights: Sequence[float] | None = None
) -> list[T]:
    """Up to ``k`` distinct items, drawn with ``weights`` and without replacement."""
    pool = list(items)
    w = list(weights) if weights is not None else [1.0] * len(pool)
    out: list[T] = []
    while pool and len(out) < k:
        i = rng.choices(range(len(pool)), weights=w)[0]
        out.append(pool.pop(i))
        w.pop(i)
    return out


def _mix(
    rng: random.Random,
    core: Sequence[str],
    n_core: int,
    everything: Sequence[str],
    k: int,
    favoured: Sequence[str] = (),
) -> list[str]:
    """``k`` distinct slugs: ``n_core`` from ``core`` first, the rest from ``everything``.

    Among the rest, ``favoured`` slugs are four times likelier than the others.
    """
    out = _sample(rng, core, min(n_core, k))
    rest = [s for s in everything if s not in out]
    liked = set(favoured)
    return out + _sample(rng, rest, k - len(out), [4.0 if s in liked else 1.0 for s in rest])


def _ascii(text: str) -> str:
    folded = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", folded)
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode()
    )


def _email_part(name: str) -> str:
    words = "".join(c if c.isalnum() or c == " " else "" for c in _ascii(name).lower()).split()
    return "-".join(words)


def _lower_role(role: str) -> str:
    """'Nurse' -> 'nurse', but 'QA engineer' and 'DevOps engineer' keep their capitals."""
    first = role.split()[0]
    return role if any(c.isupper() for c in first[1:]) else role[0].lower() + role[1:]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _skill_words(slug: str) -> str:
    return _SKILL_WORDS.get(slug, slug.replace("-", " "))


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# (days, earliest start, latest start, shortest, longest) in minutes; weight
_MENTEE_SLOTS = (
    ((WEEKDAYS, 18 * 60, 21 * 60, 60, 120), 6),
    ((WEEKDAYS, 21 * 60 + 30, 22 * 60 + 30, 60, 120), 1),
    ((WEEKEND, 9 * 60, 17 * 60, 60, 180), 4),
)
_MENTOR_SLOTS = (
    ((WEEKDAYS, 12 * 60, 13 * 60, 30, 60), 4),
    ((WEEKDAYS, 18 * 60, 20 * 60 + 30, 60, 90), 4),
    ((WEEKDAYS, 7 * 60, 8 * 60, 30, 60), 1),
    ((WEEKEND, 10 * 60, 12 * 60, 60, 120), 2),
)


def _availability(
    rng: random.Random, slots: Sequence[tuple[tuple[tuple[str, ...], int, int, int, int], int]]
) -> list[dict[str, str]]:
    """1-5 non-overlapping (and non-touching) windows on 30-minute boundaries, sorted."""
    wanted = rng.randint(1, 5)
    chosen: list[tuple[int, int, int]] = []
    for _ in range(wanted * 8):
        if len(chosen) == wanted:
            break
        days, first, last, shortest, longest = _weighted(rng, slots)
        day = DAYS.index(rng.choice(days))
        start = rng.randrange(first, last + 1, 30)
        end = min(start + rng.randrange(shortest, longest + 1, 30), 24 * 60)
        if all(d != day or end < s or e < start for d, s, e in chosen):
            chosen.append((day, start, end))
    chosen.sort()
    return [{"day": DAYS[d], "start": _hhmm(s), "end": _hhmm(e)} for d, s, e in chosen]


def _meeting_modes(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.6:
        return ["remote"]
    if r < 0.95:
        return ["remote", "in_person"]
    return ["in_person"]


def _place(rng: random.Random) -> tuple[str, str, str, str, list[str]]:
    """(country, city, timezone, culture, languages)."""
    country, city, tz, _, cultures = _weighted(rng, [(c, c[3]) for c in CITIES])
    culture, _, local, p_english = _weighted(rng, [(c, c[1]) for c in cultures])
    languages: list[str] = []
    for i, code in enumerate(local):
        if i == 0 or rng.random() < 0.6:
            languages.append(code)
    if rng.random() < p_english or not languages:
        languages.append("en")
    if culture == "ie" and rng.random() < 0.15:
        languages.append("ga")
    if rng.random() < 0.1:
        extra = [c for c in _EXTRA_LANGUAGES if c not in languages]
        languages.append(rng.choice(extra))
    return country, city, tz, culture, languages


def _name(rng: random.Random, culture: str) -> tuple[str, str]:
    firsts, lasts = NAMES[culture]
    return rng.choice(firsts), rng.choice(lasts)


def _employer(rng: random.Random, industries: tuple[str, ...] = ()) -> tuple[str, str]:
    pool = [e for e in EMPLOYERS if not industries or e[1] in industries]
    return rng.choice(pool)


def _industries(rng: random.Random, first: str) -> list[str]:
    out = [first]
    if rng.random() < 0.3:
        out.append(rng.choice([i for i in INDUSTRIES if i != first]))
    return out


def _with_custom_skill(rng: random.Random, skills: list[str]) -> list[str]:
    """About 3% of people replace one skill with a free-text one the taxonomy lacks."""
    if len(skills) >= 2 and rng.random() < 0.03:
        return [*skills[:-1], rng.choice(CUSTOM_SKILLS)]
    return skills


# --- People ------------------------------------------------------------------------------


def _base(rng: random.Random, index: int) -> dict[str, object]:
    country, city, tz, culture, languages = _place(rng)
    first, last = _name(rng, culture)
    return {
        "email": f"{_email_part(first)}.{_email_part(last)}.{index}@{EMAIL_DOMAIN}",
        "display_name": f"{first} {last}",
        "city": city,
        "country": country,
        "timezone": tz,
        "languages": languages,
    }


def _mentee(rng: random.Random, index: int) -> dict[str, object]:
    person = _base(rng, index)
    role, background, employer_industries = rng.choice(MENTEE_ROLES)
    employer, industry = _employer(rng, employer_industries)
    years = _weighted(rng, [(0, 25), (1, 25), (2, 22), (3, 16), (4, 12)])

    n_skills = rng.randint(1, 5)
    skills = _mix(
        rng,
        _BACKGROUND_SKILLS[background],
        rng.randint((n_skills + 1) // 2, n_skills),
        _JUNIOR_SKILLS,
        n_skills,
    )
    skills = _with_custom_skill(rng, skills)
    tool_weights = dict(_MENTEE_TOOLS)
    for slug in _BACKGROUND_TOOLS[background]:
        tool_weights[slug] = tool_weights.get(slug, 1) + 4
    tools = _sample(rng, list(tool_weights), rng.randint(1, 4), list(tool_weights.values()))

    held = [_weighted(rng, _MENTEE_HELD)] if rng.random() < 0.3 else []
    targets_pool = [
        (c, w) for c, w in _MENTEE_TARGETS if c not in held and (c != "pmp" or years >= 2)
    ]
    n_targets = _weighted(rng, [(0, 30), (1, 50), (2, 20)])
    targets = _sample(rng, [c for c, _ in targets_pool], n_targets, [w for _, w in targets_pool])

    goals: list[str] = []
    for cert in targets:
        goal = _CERT_GOAL.get(cert)
        if goal and goal not in goals and rng.random() < 0.8:
            goals.append(goal)
    goal_weights = dict(_MENTEE_GOALS)
    if background == "engineering":
        goal_weights["career-change-from-engineering"] = 12
    elif background == "other":
        goal_weights["career-change-other-field"] = 12
    if years <= 1:
        goal_weights["internship"] += 4
    free = [g for g in goal_weights if g not in goals]
    total = max(rng.randint(1, 4), len(goals))
    goals += _sample(rng, free, total - len(goals), [goal_weights[g] for g in free])

    headline = _mentee_headline(rng, role, background, employer, str(person["city"]), targets)
    person.update(
        roles=["mentee"],
        headline=headline,
        bio=_mentee_bio(rng, role, employer, str(person["city"]), years, goals, skills, tools),
        years_experience=years,
        current_role=role,
        employer=employer,
        skills=skills,
        tools=tools,
        certifications_held=held,
        certifications_target=targets,
        goals=goals,
        industries=_industries(rng, industry),
        meeting_modes=_meeting_modes(rng),
        availability=_availability(rng, _MENTEE_SLOTS),
        mentor_capacity=None,
        consent_to_match=rng.random() < 0.97,
    )
    return person


def _mentor(rng: random.Random, index: int) -> dict[str, object]:
    person = _base(rng, index)
    also_mentee = rng.random() < 0.08
    years = max(5, min(30, round(rng.triangular(5, 30, 10))))
    eligible = [r for r in MENTOR_ROLES if r[2] <= years]
    role, short, _, core_skills, core_certs, core_tools = rng.choice(eligible)
    employer, industry = _employer(rng)
    country = str(person["country"])

    n_skills = rng.randint(5, 12)
    skills = _mix(
        rng, core_skills, rng.randint(3, 5), SKILLS, n_skills, favoured=_GENERAL_MENTOR_SKILLS
    )
    skills = _with_custom_skill(rng, skills)
    tools = _mix(rng, core_tools, rng.randint(2, 4), TOOLS, rng.randint(3, 7))
    n_certs = _weighted(rng, [(1, 35), (2, 35), (3, 20), (4, 10)])
    regional = _REGIONAL_CERTS.get(country, ())
    held = _mix(
        rng,
        core_certs,
        rng.randint(1, 2),
        tuple(dict.fromkeys((*core_certs, *regional, *_GENERAL_MENTOR_CERTS))),
        n_certs,
        favoured=(*core_certs, *regional),
    )

    goals: list[str] = []
    targets: list[str] = []
    if also_mentee or rng.random() < 0.3:
        options = [
            (g, w)
            for g, w in _MENTOR_GOALS
            if not (g == "become-programme-manager" and role in _PROGRAMME_LEVEL)
            and not (g == "earn-pmp" and "pmp" in held)
        ]
        goal = _weighted(rng, options)
        goals.append(goal)
        if goal == "earn-pmp":
            targets.append("pmp")
        elif goal == "earn-agile-certification":
            agile = [c for c in ("psm-ii", "safe-agilist", "pmi-acp", "cspo") if c not in held]
            targets += [rng.choice(agile)] if agile else []
        elif goal == "become-programme-manager" and "pgmp" not in held and rng.random() < 0.4:
            targets.append("pgmp")

    person.update(
        roles=["mentor", "mentee"] if also_mentee else ["mentor"],
        headline=_mentor_headline(short, str(person["city"]), industry, held),
        bio=_mentor_bio(rng, role, years, industry, held, skills),
        years_experience=years,
        current_role=role,
        employer=employer,
        skills=skills,
        tools=tools,
        certifications_held=held,
        certifications_target=targets,
        goals=goals,
        industries=_industries(rng, industry),
        meeting_modes=_meeting_modes(rng),
        availability=_availability(rng, _MENTOR_SLOTS),
        mentor_capacity=_weighted(rng, [(1, 8), (2, 38), (3, 34), (4, 12), (5, 8)]),
        consent_to_match=rng.random() < 0.97,
    )
    return person


def _mentee_headline(
    rng: random.Random, role: str, background: str, employer: str, city: str, targets: list[str]
) -> str:
    options = [
        f"{role} moving into project management",
        f"{role} at {employer}, aspiring IT project manager",
        f"Aspiring project manager | {role} in {city}",
    ]
    if targets:
        options.append(f"{role} preparing for the {CERT_LABELS[targets[0]]}")
    if background == "other":
        options.append(f"{role} changing careers into IT project management")
    return rng.choice(options)[:120]


def _mentor_headline(short: str, city: str, industry: str, held: list[str]) -> str:
    noun = INDUSTRY_WORDS[industry][1]
    certs = " & ".join(CERT_LABELS[c] for c in held[:2])
    headline = f"{short} at {_article(city)} {city} {noun}, {certs}"
    return headline if len(headline) <= 120 else f"{short} at {_article(city)} {city} {noun}"


def _mentee_bio(
    rng: random.Random,
    role: str,
    employer: str,
    city: str,
    years: int,
    goals: list[str],
    skills: list[str],
    tools: list[str],
) -> str:
    if years == 0:
        first = (
            f"I've just started as {_article(role)} {_lower_role(role)} at {employer} in {city}."
        )
    else:
        unit = "year" if years == 1 else "years"
        first = (
            f"I'm {_article(role)} {_lower_role(role)} at {employer} in {city} "
            f"with {years} {unit} of experience."
        )
    sentences = [first, f"I'm working towards {_join([GOAL_PHRASES[g] for g in goals])}."]
    known = [_skill_words(s) for s in skills if s in SKILLS][:3]
    if known and rng.random() < 0.7:
        used = _join([TOOL_LABELS[t] for t in tools[:3]])
        sentences.append(f"I already bring some {_join(known)}, and I use {used} day to day.")
    return " ".join(sentences)[:600]


def _mentor_bio(
    rng: random.Random, role: str, years: int, industry: str, held: list[str], skills: list[str]
) -> str:
    sector = INDUSTRY_WORDS[industry][0]
    offer = _join([_skill_words(s) for s in skills if s in SKILLS][:3])
    closing = rng.choice(
        [
            f"Happy to help with {offer}.",
            f"Ask me about {offer}.",
            f"I enjoy mentoring people on {offer}.",
        ]
    )
    sentences = [
        f"{role} with {years} years of experience delivering projects in {sector}.",
        f"I hold the {_join([CERT_LABELS[c] for c in held])}.",
        closing,
    ]
    return " ".join(sentences)[:600]


def generate_people(
    n_mentees: int = 300, n_mentors: int = 100, *, random_state: int = 2027
) -> list[dict[str, object]]:
    """A deterministic population: ``n_mentees`` mentees, then ``n_mentors`` mentors.

    About 8% of mentors also want mentoring (roles ``["mentor", "mentee"]``); they count
    as mentors. The same ``random_state`` always gives the same people.
    """
    rng = random.Random(random_state)
    people = [_mentee(rng, i + 1) for i in range(n_mentees)]
    people += [_mentor(rng, n_mentees + i + 1) for i in range(n_mentors)]
    return people
