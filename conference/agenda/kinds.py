"""The kinds of agenda sessions and their labels: plain data, shared by the models, the
forms, the public pages and the printed programme (which needs no Flask)."""

SESSION_KINDS = {
    "plenary": "Plenary",
    "parallel": "Parallel session",
    "ceremony": "Ceremony",
    "keynote": "Keynote",
    "break": "Break",
    "meal": "Meal",
    "cultural": "Cultural programme",
    "networking": "Networking",
    "poster": "Poster session",
}
