from muster.celery_app import app


@app.task(ignore_result=False)
def ping() -> str:
    """Round-trip probe used by operators and tests to prove a worker is consuming the broker."""
    return "pong"
