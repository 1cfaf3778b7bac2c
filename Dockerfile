# Kickoff web app and worker. Build: docker build -t kickoff .
# Run everything (PostgreSQL, Redis, Mailpit, migrations, web, worker): see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KICKOFF_HOME=/data

# An unprivileged user owns the state directory; the code stays root-owned and read-only to it.
RUN groupadd --system kickoff \
    && useradd --system --gid kickoff --home-dir /data --shell /usr/sbin/nologin kickoff \
    && mkdir -p /data \
    && chown kickoff:kickoff /data

WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .

USER kickoff
EXPOSE 8000
VOLUME ["/data"]

# Liveness only (/healthz); compose checks readiness (/readyz) for the web service.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["kickoff", "serve", "--host", "0.0.0.0", "--port", "8000", "--forwarded-allow-ips", "*"]
