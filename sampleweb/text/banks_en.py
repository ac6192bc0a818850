# ruff: noqa: E501
"""English phrase banks for generated news and blog text (all names and places fictional).

Templates are sentences with ``{slot}`` holes. Per-article slots (``city``, ``person_a`` …)
are chosen once per article so a text stays about one place and a few people; the rest are
drawn afresh at each use. Topic banks are large enough, and articles sample them sparsely
enough, that two unrelated generated articles share few word shingles — otherwise the
near-duplicate clustering under test would see false "stories". Nothing here names the
monitored organisation: mentions are inserted deliberately by the generator, so the ground
truth stays exact.
"""

from __future__ import annotations

from sampleweb.text.topics_en import TOPICS as TOPICS  # re-exported: the topic banks

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Tomas", "Priya", "Daniel", "Maren", "Kwame", "Lucia", "Oskar", "Helen", "Rui",
    "Fatima", "Jonas", "Ingrid", "Samuel", "Aiko", "Pedro", "Clara", "Victor", "Nadia", "Felix",
    "Zoë", "José", "Søren", "Agnès", "Łukasz", "Inés", "Björn", "Chloé", "Matías", "Dorothea",
    "Imran", "Grace", "Hugo", "Leila", "Marcus", "Yusuf", "Elena", "Robert", "Mei", "Teodor",
)
# fmt: on

# fmt: off
LAST_NAMES: tuple[str, ...] = (
    "Halvorsen", "Mbeki", "Castellano", "Whitcombe", "Okafor", "Lindqvist", "Moreau", "Brennan",
    "Sato", "Kowalczyk", "Abernethy", "Demir", "Fairbairn", "Nakamura", "Oyelaran", "Pereira",
    "Rasmussen", "Szabó", "Thorne", "Valdés", "Achterberg", "Baptiste", "Carrow", "Dufresne",
    "Eklund", "Ferreira", "Gallagher", "Hartmann", "Ivanova", "Jääskeläinen", "Kerr", "Lachance",
    "Mulcahy", "Novák", "Ortega", "Pritchard", "Quayle", "Rønning", "Strand", "Tavares",
)
# fmt: on

# fmt: off
CITIES: tuple[str, ...] = (
    "Port Halden", "Westmere", "Calder Bay", "Northam", "Rivenford", "Easton Vale", "Saltmarsh",
    "Kestrel Point", "Brackenridge", "Lowther", "Ashby Cross", "Marrowgate", "Fennick",
    "Glenharrow", "Dunmoor", "Hollins Quay", "Penwarren", "Stillwater", "Tarrant Mills", "Ulverby",
)
# fmt: on

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# fmt: off
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# fmt: on
SEASONS = ("the spring", "early summer", "the autumn", "the end of the year", "next winter")

# fmt: off
ROLES: tuple[str, ...] = (
    "a spokesperson for the regional authority", "the deputy mayor", "an independent analyst",
    "a senior economist at Fennick University", "the chair of the local business association",
    "a former transport minister", "the head of the residents' association",
    "a researcher at the Institute for Coastal Studies", "the union's regional secretary",
    "a consultant who has advised several ministries", "the opposition spokesperson",
    "a professor of public policy", "the director of the chamber of commerce",
)
# fmt: on

# fmt: off
SLOTS: dict[str, tuple[str, ...]] = {
    "weekday": (
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ),
    "month": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    "season": (
        "the spring", "early summer", "the autumn", "the end of the year", "next winter",
    ),
    "role": (
        "a spokesperson for the regional authority", "the deputy mayor", "an independent analyst",
        "a senior economist at Fennick University", "the chair of the local business association",
        "a former transport minister", "the head of the residents' association",
        "a researcher at the Institute for Coastal Studies", "the union's regional secretary",
        "a consultant who has advised several ministries", "the opposition spokesperson",
        "a professor of public policy", "the director of the chamber of commerce",
    ),
    "cargo": (
        "grain", "timber", "refrigerated fruit", "steel coil", "wind-turbine blades", "fertiliser",
        "scrap metal", "container traffic", "cement", "vehicle imports",
    ),
    "terminal": (
        "the North Quay terminal", "the old coal wharf", "Berth 7", "the ferry basin",
        "the eastern container yard", "the deep-water jetty",
    ),
    "vessel": (
        "the bulk carrier Nordlys", "the feeder ship Calder Star", "the tug Hardy",
        "the ferry Morning Tide", "the dredger Sandpiper", "the reefer Blue Orchard",
    ),
    "project": (
        "the riverside housing scheme", "the new library", "the bus interchange",
        "the sports hall refurbishment", "the sea-wall repairs", "the market hall",
        "the cycle network", "the school expansion", "the district heating plan",
    ),
    "district": (
        "Old Town", "the Docklands", "Hillside", "the Meadows", "Ferry End", "Northgate",
        "St Aldric's", "the Common",
    ),
    "river": (
        "the Wend", "the Calder", "the Harrow", "the Lune Water", "the Skell",
    ),
    "storm": (
        "Storm Imogen", "Storm Bastian", "Storm Orla", "Storm Tobias", "Storm Wren",
    ),
    "telco": (
        "Norvik Telecom", "Brightline Networks", "Coastal Fibre", "Meridia Mobile",
        "Tessera Broadband", "Halcyon Connect",
    ),
    "operator": (
        "Aurelian Space", "Polaris Relay", "Bluefin Orbital", "Kestrel Launch Services",
        "Lumen Constellations", "Vantage Skyworks", "Corvid Satellite",
    ),
    "orbit": (
        "low Earth orbit", "geostationary orbit", "sun-synchronous orbit", "medium Earth orbit",
        "a polar orbit",
    ),
    "team": (
        "Calder Bay Rovers", "Westmere Athletic", "the Harbour Hawks", "Northam United",
        "Rivenford Town", "the Saltmarsh Otters",
    ),
    "venue": (
        "the Riverside Stadium", "Quayside Park", "the Mill Lane ground", "the Civic Arena",
        "the old Corn Exchange", "the Lantern Theatre",
    ),
    "festival": (
        "the Lantern Festival", "the autumn book fair", "the harbour jazz weekend",
        "the film week", "the folk music gathering", "the winter market",
    ),
    "company": (
        "Halden Foods", "Greyfriars Logistics", "Marlow Components", "Tidewater Energy",
        "Ostler Pharmaceuticals", "Kinross Textiles", "Brightwater Systems",
    ),
    "sector": (
        "manufacturing", "retail", "hospitality", "construction", "logistics",
        "financial services", "agriculture", "tourism",
    ),
    "hospital": (
        "Northam General", "the Royal Infirmary", "St Brigid's Hospital", "the Calder Bay clinic",
        "Westmere Community Hospital",
    ),
    "line": (
        "the Coast Line", "the Valley branch", "route 14", "the night bus", "the tram extension",
    ),
    "station": (
        "Central station", "the Harbour halt", "Mill Street", "the interchange",
        "Northgate Parkway",
    ),
    "artist": (
        "the painter Odile Marchetti", "the cellist Henrik Saal", "the poet Amara Lowe",
        "the sculptor Ivo Brandt", "the photographer Nell Ashdown",
    ),
}
# fmt: on

#: Sentences that fit almost any local news story; used to pad and vary articles.
GENERIC: tuple[str, ...] = (
    "The announcement was made at a press conference in {city} on {weekday}.",
    "Further details are expected to be published later this month.",
    '"We have listened carefully to the concerns that were raised," said {person_b}, {role}.',
    "Critics say the plans do not go far enough and leave key questions unanswered.",
    "The figures are provisional and may be revised when the full data are available.",
    "A spokesperson declined to comment on the details while discussions were continuing.",
    "It is the first time in {num} years that the issue has come before the regional assembly.",
    "Supporters of the scheme argue that doing nothing would cost far more in the long run.",
    '"This is a decision that will affect people in {city} for a generation," said {person_c}, {role}.',
    "The issue is likely to feature prominently in next year's local elections.",
    "An independent review is expected to report its findings before {season}.",
    "Those affected have been told they can apply for support through the council's website.",
    "The proposals will now go out to public consultation for {num} weeks.",
    "Previous attempts to tackle the problem stalled because of a lack of funding.",
    "Officials stressed that no final decision had yet been taken.",
    "Campaigners said they would keep up the pressure until their demands were met.",
    '"People deserve clear answers, and they deserve them soon," {person_c} said.',
    "The full report runs to more than {num3} pages and includes a series of recommendations.",
    "Comparable schemes elsewhere have produced mixed results.",
    "The minister is expected to visit {city} next month to see the work for herself.",
    "Some of those who spoke at the meeting said they felt their views had been ignored.",
    "Both sides said they hoped to reach an agreement before the deadline.",
    "The figures were compiled from official records and interviews with local organisations.",
    "Similar concerns have been raised in {city2}, where a comparable project was approved last year.",
    "A decision is expected once the consultation period has closed.",
)

#: First-person commentary for third-party blog posts.
BLOG: tuple[str, ...] = (
    "I have been following this debate for a while, and the tone of it has changed noticeably this year.",
    "What strikes me most is how little of the public discussion engages with the actual documents.",
    "A few readers asked me to write something about this, so here are some rough notes.",
    "I am not a lawyer, and nothing here should be read as a legal opinion.",
    "The interesting part is not the headline but the procedural detail underneath it.",
    "If you only read one thing on the subject this week, read the primary source rather than the commentary.",
    "There is a tendency in this field to treat every technical negotiation as a grand battle of values.",
    "My own view is that the boring, incremental changes will matter much more than the dramatic ones.",
    "I spent an evening going through the annexes, which is more fun than it sounds.",
    "It is worth remembering that most of these rules are written by engineers for engineers.",
    "Some of the criticism is fair, and some of it seems to rest on a misreading of the draft text.",
    "I will come back to this once the final texts are published and there is something concrete to compare.",
    "As usual, the comments are open, and I am happy to be corrected.",
    "The data tell a more nuanced story than either side's press releases.",
    "Regular readers will know that I have been sceptical of grand announcements in this area.",
    "For context, I worked on spectrum coordination for a small operator for several years.",
    "The summary tables are useful, but the footnotes are where the real story is.",
    "This is a short post; a longer analysis will follow when I have had time to digest everything.",
)

#: Reader comments under news articles and blog posts (opinions about nothing in particular).
READER: tuple[str, ...] = (
    "About time something was done about this.",
    "I live nearby and nobody asked us what we thought.",
    "Good reporting, thank you for following this up.",
    "The council always finds money for its own pet projects.",
    "Does anyone know when the consultation actually closes?",
    "My neighbour has been waiting for months for an answer.",
    "This is exactly what happened last time and nothing changed.",
    "Interesting article, but it leaves out the cost to taxpayers.",
    "I remember when this was all fields.",
    "Great news for the town, we need more of this.",
    "The photo caption is wrong, that is the old bridge.",
    "Why is it always the smaller places that lose out?",
    "Well done to everyone involved.",
    "I would like to see the full figures before I believe any of it.",
    "Shared this with my local group, plenty of strong opinions there.",
)

COOKIE: tuple[str, ...] = (
    "We use cookies to improve your experience and to show you relevant advertising. You can change your settings at any time.",
    "This site uses cookies. By continuing to browse you agree to our use of cookies.",
    "We and our partners use cookies to measure traffic and personalise content.",
)

NEWSLETTER: tuple[str, ...] = (
    "Get the morning briefing in your inbox every weekday.",
    "Sign up for our weekly newsletter: the stories that matter, nothing else.",
    "Never miss a story: subscribe to our daily digest.",
)

#: Word-level alternatives applied at random to generated sentences, so that articles built
#: from the same templates do not share long word sequences (which near-duplicate detection
#: would read as one story). Only swaps that keep the grammar in every template are listed.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "noted", "added", "explained"),
    "more than": ("over", "in excess of"),
    "expects": ("anticipates",),
    "expected": ("anticipated",),
    "rose": ("climbed", "increased"),
    "fell": ("dropped", "declined"),
    "risen": ("climbed", "increased"),
    "plans": ("proposals",),
    "proposals": ("plans",),
    "residents": ("locals", "householders"),
    "officials": ("authorities",),
    "spokesperson": ("spokeswoman", "spokesman", "representative"),
    "warned": ("cautioned",),
    "criticised": ("attacked", "condemned"),
    "almost": ("nearly",),
    "several": ("a number of", "various"),
    "major": ("significant", "big"),
    "because of": ("due to", "owing to"),
    "firms": ("companies", "businesses"),
    "companies": ("firms", "businesses"),
    "company": ("firm",),
    "last year": ("a year earlier", "twelve months ago"),
    "sharply": ("steeply", "markedly"),
    "quickly": ("rapidly",),
    "begins": ("starts",),
    "began": ("started",),
    "important": ("significant",),
    "difficult": ("hard",),
    "problem": ("issue",),
    "concerns": ("worries", "fears"),
    "scheme": ("programme", "project"),
    "figures": ("statistics", "data"),
    "published": ("released", "issued"),
    "announced": ("unveiled", "revealed"),
    "region": ("area",),
    "decision": ("move",),
    "staff": ("employees", "workers"),
    "urged": ("called on",),
    "complained": ("grumbled",),
}

#: Sentence openers prepended now and then (the sentence's first word is lower-cased, so only
#: sentences starting with one of LOWERABLE get one).
# fmt: off
OPENERS: tuple[str, ...] = (
    "Meanwhile, ", "In a separate development, ", "For now, ", "Even so, ", "Separately, ",
    "At the same time, ", "In the meantime, ", "Locally, ", "Since then, ", "By contrast, ",
    "As things stand, ", "In practice, ", "Privately, ", "Crucially, ", "On paper, ",
)
# fmt: on
LOWERABLE: frozenset[str] = frozenset(
    [
        "The",
        "A",
        "An",
        "Several",
        "Some",
        "Most",
        "More",
        "Many",
        "Local",
        "Officials",
        "Business",
        "Farmers",
        "Operators",
        "Economists",
        "Critics",
        "Customers",
        "Shipping",
        "Dockworkers",
        "Residents",
        "Supporters",
        "Councillors",
        "Emergency",
        "Engineers",
        "Insurers",
        "Smaller",
        "Older",
        "Astronomers",
        "Schools",
        "Ferry",
        "Power",
        "Volunteers",
        "Rail",
        "Mobile",
        "Satellite",
        "Consumer",
        "Freight",
        "Fishing",
        "Customs",
        "Plans",
        "Both",
        "Those",
        "Previous",
        "Comparable",
        "Health",
        "Staff",
        "Campaigners",
        "Patients",
        "Managers",
        "Traders",
        "Wages",
        "Mortgage",
        "Exporters",
        "Analysts",
        "Profits",
        "Retail",
        "Unemployment",
        "Tickets",
        "Organisers",
        "Funding",
        "Commuters",
        "Bus",
        "Passenger",
        "Disability",
        "Drivers",
        "Shopkeepers",
        "Replacement",
        "Gusts",
        "Forecasters",
        "Meteorologists",
        "Insurance",
        "Ground",
        "It",
        "This",
        "Further",
        "Insurers",
        "Similar",
        "Scrapping",
        "Harbour",
        "Opposition",
        "Fishing",
        "Tickets",
        "Critics",
    ]
)
