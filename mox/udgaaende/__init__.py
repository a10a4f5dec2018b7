"""Outbound MOX: notifications to the systems that subscribe to changes.

A system subscribes (`Abonnement`) to an object type (tilstand, indsats or sag),
optionally for some citizens only. When a Tilstand, an Indsats or a case of the case index
(Sag) changes — in the UI, the admin or through a MOX message — the after-change hook
in `receivers` (datadeling.core.hooks, stage UDBAKKE) writes one `Notifikation` per
subscribing system whose unit may see the object, in the writing transaction (a
transactional outbox: no change without its notifications, no notification without its
change). After the commit `tasks.lever_notifikation` posts each row to the
system's webhook, signed like an incoming message (`levering`); failures retry with
exponential backoff, driven by the periodic sweep `tasks.lever_udestaaende`, and end as
`fejlet` after MOX_NOTIFIKATION_MAKS_FORSOEG attempts, to be replayed from the admin.

What a system may be told is what its unit may see (samtykke.policy.synlige_for_enhed and
enheders_grundlag: the units rule for tilstand and indsats, the case rule for a sag),
plus the objects the system delivered itself; this is checked when the row is written and
again before every attempt.
"""
