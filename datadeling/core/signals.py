"""Signals by which lower apps tell higher ones that citizen data changed.

`data_aendret` is sent inside the writing transaction, after the new registrations are
stored, with `aendringer`: a list of `datadeling.core.historik.Aendring` (`objekt`, the
current-state object as it stands after the registration, e.g. a Tilstand;
`registrering`; `livscykluskode`), all of the sender's model, in the order they were made.
One change from a screen is a list of one; a MOX chunk sends all its changes of a type
at once, so a receiver can act on them together. A receiver that must act only after
commit (a notification, a task) uses `transaction.on_commit` itself; one that must act
atomically with the write (a permission grant) acts directly.
"""

from django.dispatch import Signal

data_aendret = Signal()
