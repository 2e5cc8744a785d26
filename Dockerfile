# Whuffie in a container: `docker compose up` (compose.yaml) runs it on PostgreSQL.
# Two stages: the first installs the locked dependencies and the project into a virtual
# environment (the README's install, without -e); the second copies only that environment,
# and runs as a user that is not root.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/whuffie
# The lock file first, so a code change does not reinstall every dependency.
COPY requirements.lock ./
RUN /opt/whuffie/bin/pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY matching ./matching
COPY whuffie ./whuffie
RUN /opt/whuffie/bin/pip install --no-deps . && /opt/whuffie/bin/whuffie --help > /dev/null

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 whuffie && mkdir /data && chown whuffie /data
COPY --from=build /opt/whuffie /opt/whuffie
ENV PATH=/opt/whuffie/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WHUFFIE_DATABASE_URL=sqlite:////data/whuffie.db \
    PORT=3000
USER whuffie
WORKDIR /data
VOLUME /data
EXPOSE 3000
# /healthz answers while the process lives; /readyz also checks the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}/healthz\", timeout=4)"]
# SIGTERM (docker stop) is the bot's signal to finish its work and exit.
STOPSIGNAL SIGTERM
CMD ["whuffie", "run"]
