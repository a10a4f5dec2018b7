"""The hook by which the processing learns that messages arrived.

`besked_modtaget` is sent after the inbox rows are committed (`transaction.on_commit`),
with `besked_ids`: the primary keys of the newly stored `Besked` rows, in the order they
were sent. Repeats of a known beskedID are not in the list. The send is robust: a
receiver that fails (the broker is down) is logged and the sender still gets its 202;
the inbox row stays `modtaget` for the periodic sweep to pick up.
"""

from django.dispatch import Signal

besked_modtaget = Signal()
