"""A clock that tests move by hand; services read time only through datadeling.core.clock."""

from __future__ import annotations

import datetime


class FakeClock:
    def __init__(self, start: datetime.datetime):
        self.t = start

    def __call__(self) -> datetime.datetime:
        return self.t

    def advance(self, **kwargs) -> datetime.datetime:
        self.t += datetime.timedelta(**kwargs)
        return self.t
