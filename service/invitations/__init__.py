"""Invitations of imported members: the emailed link that lets them join, its one reminder,
resending it, and the notice to members who already had an account."""
