"""Celery: eager in-process without a broker, a real worker on Redis when one is configured."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from datadeling.celery import app
from tests.conftest import koe_navn


@app.task(name="tests.where_am_i", bind=True)
def where_am_i(self):
    return {"eager": bool(self.request.is_eager), "hostname": self.request.hostname}


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no broker configured (demo mode)")
@pytest.mark.celery_worker
def test_task_runs_on_a_real_worker_over_the_broker():
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the check)

    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        result = where_am_i.delay().get(timeout=20)
    assert result["eager"] is False
    assert result["hostname"]


@pytest.mark.skipif(bool(settings.CELERY_BROKER_URL), reason="a broker is configured")
def test_without_broker_tasks_run_eagerly():
    result = where_am_i.delay().get(timeout=5)
    assert result["eager"] is True


def test_each_kind_of_work_has_its_queue():
    """MOX and notifications go to queues of their own (README, "Flere maskiner")."""
    koe = {
        navn: app.amqp.router.route({}, navn)["queue"].name.removesuffix(koe_navn(""))
        for navn in ("mox.behandl_beskeder", "mox.lever_notifikation", "overblik.udfold",
                     "overblik.email_digest", "tests.where_am_i")
    }  # fmt: skip
    assert koe == {
        "mox.behandl_beskeder": "mox",
        "mox.lever_notifikation": "mox",
        "overblik.udfold": "notifikation",
        "overblik.email_digest": "notifikation",
        "tests.where_am_i": "default",
    }
    # every routed queue is declared, so a worker without -Q consumes it
    assert {koe_navn(k) for k in ("default", "mox", "notifikation")} == set(app.amqp.queues)


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="no broker configured (demo mode)")
@pytest.mark.celery_worker
def test_a_worker_without_queues_named_consumes_every_queue():
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the check)

    app.control.purge()  # what earlier tests left for a worker that never came
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        svar = [
            where_am_i.apply_async(queue=koe_navn(koe)).get(timeout=20)
            for koe in ("default", "mox", "notifikation")
        ]
    assert all(s["eager"] is False for s in svar)
