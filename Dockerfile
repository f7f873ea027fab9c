# A small runtime image for the HTTP mode: a static-enough release build on Debian slim with
# the CA certificates rustls needs to reach Entra and Graph, running as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked --bin entra-mcp

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home entra-mcp
COPY --from=build /src/target/release/entra-mcp /usr/local/bin/entra-mcp
USER 10001
EXPOSE 8080
ENV ENTRA_MCP_LISTEN=0.0.0.0:8080 \
    ENTRA_MCP_LOG_FORMAT=json
ENTRYPOINT ["/usr/local/bin/entra-mcp"]
CMD ["http"]
