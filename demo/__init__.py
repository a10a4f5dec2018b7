"""The demo: development data and tooling, never imported by the product.

`demo_data` builds a believable municipality, region and state body with staff, citizens
and their data (`byg`); `demo_logins` prints the logins; `mox_simuler` writes the MOX
traffic of simulated fagsystemer (`simulator`). `personer` is the one place that makes
fake but valid CPR numbers and names, for the demo, the simulator and the tests.

The app sits above every other app: it may import them all, and none of them (nor mox,
whose simulator moved here) may import it.
"""
