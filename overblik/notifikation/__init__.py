"""Following (Følg) and notifications to people: staff, citizens and those acting for them.

A change writes its event (samtykke.Haendelse) in its own transaction (the transactional
outbox shared with MOX's outbound webhooks, see docs/arkitektur.md). After the commit the
event is fanned out by Celery (`tasks.udfold`) in batches of NOTIFIKATION_BATCH recipients,
one task per batch chained to the next, so one change with 10,000 followers neither
blocks the change nor holds a worker for long. Each batch asks the access policy which of
its candidates may see the object (samtykke.policy.personale_der_ser) and inserts one row
per person, unique per event and person (a batch that runs twice inserts nothing twice).
The inbox asks the policy again when it is shown (samtykke.policy.notifikationer_synlige_q).

Modules: `services` (every write), `selectors` (reads for the pages), `tasks` (Celery).
"""
