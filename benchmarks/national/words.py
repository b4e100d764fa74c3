"""The words the national data is written in: places, people, rationales, notes and titles."""

from improvement_plans.models import Investment

PLACE_STARTS = [
    "Ash", "Bram", "Brook", "Cald", "Dun", "East", "Fair", "Glen", "Green", "Hart", "High",
    "King", "Lang", "Mill", "North", "Oak", "Red", "Rother", "Stan", "Thorn", "West", "Whit",
    "Wood", "Yarn",
]  # fmt: skip
PLACE_ENDS = [
    "borough", "bury", "dale", "field", "ford", "ham", "ley", "minster", "mouth", "shire",
    "stead", "ton", "wick", "worth",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alex", "Amir", "Ben", "Bethan", "Chen", "Chloe", "Dan", "Dev", "Eilidh", "Femi",
    "Grace", "Hannah", "Imran", "Isla", "Jack", "Jo", "Kofi", "Leah", "Luca", "Maya", "Megan",
    "Nia", "Noah", "Omar", "Owen", "Priya", "Ravi", "Rosa", "Ruth", "Sam", "Sana", "Tom",
    "Yusuf", "Zara", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Armstrong", "Bell", "Brennan", "Chowdhury", "Clarke", "Dixon", "Evans",
    "Fraser", "Gill", "Hughes", "Iqbal", "Jones", "Kaur", "Khan", "Lowe", "Mensah", "Murphy",
    "Nolan", "Nowak", "Okafor", "Patel", "Quinn", "Rahman", "Reid", "Shah", "Taylor", "Walsh",
    "Williams", "Wright", "Young",
]  # fmt: skip

# Sentences a partner might write to justify each level; a rationale takes three to six.
LEVEL_SENTENCES = {
    1: [
        "Practice depends on individual wards and teams, and there is no agreed process yet.",
        "We see people waiting for decisions that could have been planned much earlier.",
        "Staff told us they were not aware of a shared approach across partners.",
        "Information is passed on by phone and e-mail, and it is often incomplete.",
        "Our audit found the approach in use on only a few of the wards we looked at.",
        "There is goodwill between partners, but nobody owns this across the system.",
    ],
    2: [
        "A plan is agreed across partners and pilots have started on two sites.",
        "Practice still differs between sites and we cannot yet show it working at weekends.",
        "The steering group has signed off the approach and named a lead for it.",
        "Early data from the pilot wards is encouraging but the numbers are small.",
        "Training has been designed and the first staff have been through it.",
        "We have funding for the next stage but recruitment is still under way.",
    ],
    3: [
        "The process is written down and used routinely across our services.",
        "It is reviewed monthly at the discharge group and the actions are followed up.",
        "Staff know the process and our audits show it is followed most of the time.",
        "The shared dashboard is used in the daily huddles by every partner.",
        "Weekend practice still lags behind weekdays, which we are working on.",
        "People and families tell us they know what is happening and when.",
    ],
    4: [
        "The process has held through winter pressure and through changes of staff.",
        "Audits over two years show fewer delays, and people tell us they get home sooner.",
        "Partners use the same measures and review them together every week.",
        "We have shared our approach with neighbouring systems, who have adopted parts of it.",
        "Delays attributable to this change have fallen by a third since the baseline.",
        "The approach is written into contracts and the job descriptions of key roles.",
    ],
    5: [
        "This is simply how we work across the system, every day of the week.",
        "Outcomes for people are measurably better and the gains have been sustained.",
        "We keep improving it with the people who use our services and their carers.",
        "Other systems visit us to learn from the approach and we host a regional network.",
        "Independent evaluation confirmed the impact on length of stay and readmissions.",
        "People who use services sit on the group that oversees it and shape its priorities.",
    ],
}
CONTEXT_SENTENCES = [
    "This view was agreed at our partnership meeting after discussion with front-line staff.",
    "Our rating takes account of the feedback from the last workshop.",
    "We have been cautious because the evidence from the community side is still patchy.",
    "The picture is different between the two acute sites, so we rated the weaker one.",
    "Our own data team checked the figures quoted here.",
    "Colleagues in social care would describe this in much the same way.",
]
CHALLENGES = [
    "Weekend and bank holiday cover across partners.",
    "Recruitment to the community and reablement teams.",
    "Shared records are not yet available to every partner.",
    "Care home capacity in the rural north of the area.",
    "Funding for the pilot ends in March and its future is not settled.",
]
MILESTONES = [
    "Weekly flow meetings established across partners.",
    "Discharge hub open seven days a week since the autumn.",
    "Trusted assessor in post at both acute sites.",
    "Shared dashboard in use at every daily huddle.",
    "Delays over 7 days down by a quarter on last year.",
]
SUPPORT_NEEDS = [
    "Analyst time for shared dashboards.",
    "Peer support from a system that has reached Mature.",
    "Help with the business case for the next financial year.",
    "Training for care home staff on the new assessment.",
    "",
]
COMMENTS = [
    "Our view differs because the community teams see the weekend gap every week.",
    "I think we are being generous here: the audit only covered weekdays.",
    "Agree with the split. The acute view and the council view are both right for their part.",
    "Can we see the figures from the last quarter before we settle on a level?",
    "The voluntary sector partners were not part of the pilot, which explains our rating.",
]
UPDATE_NOTES = [
    "Kick-off meeting held; owners agreed across partners.",
    "Draft process circulated to partners for comment.",
    "Pilot started on two wards; first results due next month.",
    "Recruitment to the new posts is under way.",
    "Progress reviewed at the steering group; on track.",
    "Delayed by winter pressures; new dates agreed.",
    "Training sessions delivered to the first cohort of staff.",
    "Data shows early improvement; extending to all sites.",
]
DONE_NOTES = [
    "Completed: in use on every ward and audited.",
    "Completed and handed over to business as usual.",
]
BLOCKED_NOTES = [
    "Blocked: waiting for the recruitment freeze to lift.",
    "Blocked: the shared record system is delayed by the supplier.",
]
CANCELLED_NOTES = ["Replaced by the regional capacity tracker.", "Superseded by a wider scheme."]
# Action titles by change code (the 2017 and 2020 editions share numbers 1-8).
ACTION_TITLES = {
    "1": ["Expected date of discharge set within 24 hours on every ward",
          "Discharge planning training for ward staff", "Pre-admission planning for elective care"],
    "2": ["Shared demand and capacity dashboard", "Daily system flow call",
          "Capacity forecasting for winter and summer peaks"],
    "3": ["Daily multi-agency huddle at both acute sites", "Joint discharge team co-located",
          "Voluntary sector worker in the discharge hub"],
    "4": ["Home first pathway for people with new care needs", "Discharge to assess beds reviewed",
          "Reablement capacity increased"],
    "5": ["Seven-day social work cover", "Weekend therapy and pharmacy cover",
          "Evening discharges supported by transport"],
    "6": ["Trusted assessor for care home placements", "Single assessment form agreed",
          "Trusted assessment extended to home care"],
    "7": ["Choice leaflet co-produced with Healthwatch", "Conversation guide for ward staff",
          "Carers involved from admission"],
    "8": ["Care home bed tracker in every home", "Enhanced health in care homes",
          "Care home liaison nurses"],
    "9": ["Housing officer in the discharge hub", "Fast-track home adaptations",
          "Assistive technology at discharge"],
}  # fmt: skip
SCHEMES = [
    ("Multi-disciplinary discharge teams", Investment.Source.BCF),
    ("Trusted assessors for care homes", Investment.Source.IBCF),
    ("Choice and information", Investment.Source.BCF),
    ("Home adaptations for discharge", Investment.Source.DFG),
    ("Winter discharge capacity", Investment.Source.DISCHARGE),
    ("Reablement at home", Investment.Source.BCF),
    ("Seven-day working", Investment.Source.IBCF),
    ("Voluntary sector home from hospital", Investment.Source.OTHER),
]
