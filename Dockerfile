# Muster's production image: one image for the web (uvicorn), the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=muster.settings

WORKDIR /app

# Pango for WeasyPrint's PDF export of wiki pages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes do not reinstall them: exactly the versions
# and files requirements.lock pins (`make lock` writes it), hash-checked. The
# project itself installs no package (pyproject lists none): the code runs from
# /app. Its install uses the locked setuptools and fails if the lock lacks
# anything pyproject.toml asks for.
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock \
    && pip install --no-deps --no-build-isolation . \
    && pip check

COPY . .

# Hashed, compressed static files, served by WhiteNoise. Settings refuse to load
# without a secret when DEBUG is off; this one exists only for the build.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-at-build-time-only-never-used-to-serve \
    python manage.py collectstatic --noinput -v0

# Run as an unprivileged user that owns only var/ (uploaded files, beat schedule).
RUN useradd --system --uid 10001 --no-create-home --home-dir /app muster \
    && mkdir -p /app/var/media \
    && chown -R muster:muster /app/var
USER muster

# uvicorn sits behind a proxy (docs/operations.md): with --proxy-headers it takes the member's
# address from X-Forwarded-For, which the proxy must set, not append to, and believes it only from
# the addresses in FORWARDED_ALLOW_IPS (uvicorn's default: 127.0.0.1). WEB_CONCURRENCY sets its
# number of worker processes (default 1). Daphne serves the same application, if you must:
#   daphne --proxy-headers -b 0.0.0.0 -p 8000 muster.asgi:application
EXPOSE 8000
CMD ["uvicorn", "--ws", "muster.websocket_frames:FramesWSProtocol", "--ws-per-message-deflate", "false", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning", "--lifespan", "off", "--timeout-graceful-shutdown", "8", "--proxy-headers", "--host", "0.0.0.0", "--port", "8000", "muster.asgi:application"]
