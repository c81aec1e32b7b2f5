"""Words for the review's states and events, translated where they are shown."""
from app.i18n import N_
from app.submissions.models import SubmissionState

STATE_LABELS = {
    SubmissionState.submitted: N_("Awaiting review"),
    SubmissionState.returned: N_("Returned for correction"),
    SubmissionState.approved: N_("Approved"),
    SubmissionState.rejected: N_("Rejected"),
}

# Events of a submission's trail (and of the review's other objects). Events of other kinds
# (logins, devices) are shown by their action name.
EVENT_LABELS = {
    "submission.received": N_("Received from the phone"),
    "submission.resubmitted": N_("Corrected revision received"),
    "submission.flagged": N_("Automatic checks"),
    "submission.approved": N_("Approved"),
    "submission.returned": N_("Returned to the enumerator"),
    "submission.rejected": N_("Rejected"),
    "submission.pushed": N_("Pushed to the registry"),
    "submission.exported": N_("Exported"),
    "pii.reveal": N_("Full value shown"),
    "target.settled": N_("Target settled"),
    "target.reopened": N_("Target reopened"),
    "village.done": N_("Village marked done"),
    "village.reopened": N_("Village reopened"),
}
