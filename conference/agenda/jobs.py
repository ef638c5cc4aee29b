"""Agenda work that runs in the background: proposals of parallel sessions."""

from conference.agenda.proposals import PROPOSE_KIND, run_proposal
from conference.jobs.services import job


# Restartable: a run writes only its proposal's progress and result, never the draft.
@job(PROPOSE_KIND, retry=True)
def propose_sessions(progress, proposal_id: int):
    """Search for parallel sessions and keep the proposal (see proposals.py)."""
    return run_proposal(progress, proposal_id)
