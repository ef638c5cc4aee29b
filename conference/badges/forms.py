"""Badge printing options."""

from wtforms import BooleanField, SelectChoice, SelectField

from conference.forms import FlaskForm

LAYOUT_LABELS = {
    "a6": "A6 portrait, one per page (default)",
    "a7": "A7, one per page",
    "4x3": "4 × 3 inch, one per page",
    "card": "ID-1 card (85.6 × 54 mm)",
    "a4-4": "4 × A6 on A4",
    "a4-6": "6 per A4 (label stock)",
    "a4-8": "8 per A4 (label stock)",
}


class PrintForm(FlaskForm):
    layout = SelectField(
        "Layout", choices=[SelectChoice(k, v) for k, v in LAYOUT_LABELS.items()], default="a6"
    )
    cut_marks = BooleanField("Cut marks")
    back_side = BooleanField("Back side too (duplex printing)")
