"""PDF building blocks shared by every document: text in every script (see ``text``).

No Flask here: functions take plain values and return bytes or draw on a canvas.
"""
