# syntax=docker/dockerfile:1
# One image for the gateway (sluice.jar) and for upstream-mock (upstream-mock.jar).
#
#   docker build -t sluice .
#   docker run -v $PWD/gateway.yaml:/etc/sluice/gateway.yaml:ro -p 8080:8080 sluice
#   docker run --entrypoint /app/upstream-mock -p 5001:5001 sluice --host 0.0.0.0 --port 5001
#
# JAVA_OPTS is passed to the JVM of either one. See docs/operations.md.

# --- build: the same command as the README's, on a clean copy of the sources ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps ~/.m2 between builds (BuildKit); it is not part of any image.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

# --- runtime: a JRE, the two fat jars, and no build tools ---
FROM eclipse-temurin:17-jre

# curl is for HEALTHCHECK (and for an operator's `docker exec`); installed explicitly rather
# than trusting that the base image happens to ship it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid so that orchestrators can check runAsNonRoot and mounted files can be
# made readable to it.
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /app --shell /usr/sbin/nologin sluice \
 && mkdir -p /etc/sluice

WORKDIR /app
COPY --from=build /src/gateway-app/target/sluice.jar /app/sluice.jar
COPY --from=build /src/upstream-mock/target/upstream-mock.jar /app/upstream-mock.jar

# Two launchers, so that JAVA_OPTS is word-split by a shell and the arguments ("$@") are not.
# exec: java replaces the shell as PID 1, so `docker stop`'s SIGTERM reaches the JVM's shutdown hook.
RUN printf '#!/bin/sh\nexec java $JAVA_OPTS -jar /app/sluice.jar "$@"\n' > /app/sluice \
 && printf '#!/bin/sh\nexec java $JAVA_OPTS -jar /app/upstream-mock.jar "$@"\n' > /app/upstream-mock \
 && chmod 0755 /app/sluice /app/upstream-mock

# Container-aware heap sizing; an OutOfMemoryError ends the JVM so the orchestrator restarts it.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001

# 8080 gateway, 9090 admin, 5701 Hazelcast (--cluster). The clustered event bus port is random
# unless SLUICE_EVENTBUS_PORT is set (docker-compose.yml uses 5710).
EXPOSE 8080 9090 5701

# Liveness on the gateway port (answered by every gateway instance, no Redis round trip).
# The upstream-mock has no /__health: docker-compose.yml gives that service its own check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${SLUICE_HTTP_PORT:-8080}/__health" || exit 1

ENTRYPOINT ["/app/sluice"]
CMD ["run", "--config", "/etc/sluice/gateway.yaml", "--cluster"]
