from muster.celery_app import app


@app.task
def announce_overdue_tasks() -> int:
    """Tell owners and co-owners of partnership tasks that have fallen overdue. Idempotent: each task is
    announced once (``Task.overdue_notified_at``)."""
    from partnerships.services import tasks_announce_overdue

    return tasks_announce_overdue()
