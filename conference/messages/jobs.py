"""Sending a message to its recipients, in the background."""

from conference.jobs.services import job
from conference.messages.services import SEND_KIND, send_to_recipients


# Restartable: a run that starts over skips whoever the message was queued for already.
@job(SEND_KIND, retry=True)
def send_message(progress, message_id: int, done_url: str):
    """Queue the message for every recipient, a chunk at a time."""
    count = send_to_recipients(message_id, progress)
    return {"sent": count, "url": done_url, "label": f"See who got it ({count:,} e-mails)"}
