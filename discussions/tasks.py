from muster.celery_app import app


@app.task
def announce_scheduled_blog_posts() -> int:
    """Put scheduled blog posts whose time has come into their community's feed. Idempotent."""
    from discussions.services import blog_posts_announce_due

    return blog_posts_announce_due()
