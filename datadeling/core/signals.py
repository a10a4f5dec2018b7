"""Signals by which lower apps tell higher ones that citizen data changed.

`data_aendret` is sent inside the writing transaction, after the new registration is
stored, with `objekt` (the current-state object, e.g. a Tilstand), `registrering` and
`livscykluskode`. A receiver that must act only after commit (a notification, a task)
uses `transaction.on_commit` itself; one that must act atomically with the write (a
permission grant) acts directly.
"""

from django.dispatch import Signal

data_aendret = Signal()
