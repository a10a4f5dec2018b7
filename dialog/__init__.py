"""Tværfaglig dialog: conversations about one citizen between professionals, the citizen
and the people who act for the citizen. Who may read is asked of the access policy
(samtykke.policy); this app stores conversations, participants, messages and attachments,
append-only."""
