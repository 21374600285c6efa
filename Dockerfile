# iamd in a container: a multi-stage build (Rust toolchain, then a slim runtime image) running
# as a non-root user. Build: docker build -t iamd .   Run:
#   docker run -p 8080:8080 -v iamd-data:/var/lib/iamd iamd
# (not built in this repository's CI: the build machine has no container engine).

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# libxmlsec1 verifies SAML signatures (samael generates its bindings with libclang).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxmlsec1-dev libxml2-dev libclang-dev pkg-config \
 && cargo build --release --locked -p iamd \
 && install -D -m 0755 target/release/iamd /out/iamd

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libxmlsec1-openssl libxml2 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 iamd \
 && useradd --system --uid 10001 --gid iamd --home-dir /var/lib/iamd --shell /usr/sbin/nologin iamd \
 && install -d -m 0700 -o iamd -g iamd /var/lib/iamd
COPY --from=build /out/iamd /usr/local/bin/iamd
USER iamd:iamd
VOLUME ["/var/lib/iamd"]
EXPOSE 8080
ENV IAMD_LISTEN=0.0.0.0:8080 \
    IAMD_DATA_DIR=/var/lib/iamd \
    IAMD_LOG_FORMAT=json
# Probes: GET /health (liveness) and GET /ready (readiness) on the API port, e.g. Kubernetes
# httpGet probes; the slim image has no HTTP client for a HEALTHCHECK.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/iamd"]
CMD ["serve"]
