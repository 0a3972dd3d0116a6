# Builds warmlane and warmlane-shim as static binaries and ships them in a small image
# (for installing onto hosts: `docker run --rm -v /usr/local/bin:/out IMAGE`). The
# runtime itself needs root on the host, not a container.
#   docker build -t warmlane .
ARG SWIFT_IMAGE=swift:6.1-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp-dev libcap-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY shim shim
COPY bundles bundles
COPY Tests Tests
RUN swift build -c release -Xswiftc -static-executable --product warmlane \
 && swift build -c release -Xswiftc -static-executable --product warmlane-shim \
 && install -D -m 0755 "$(swift build -c release -Xswiftc -static-executable --show-bin-path)/warmlane" /out/warmlane \
 && install -D -m 0755 "$(swift build -c release -Xswiftc -static-executable --show-bin-path)/warmlane-shim" /out/warmlane-shim

FROM debian:bookworm-slim
COPY --from=build /out/ /usr/local/bin/
COPY shim/config /usr/local/share/warmlane/config
# Copies the binaries into a mounted /out, e.g. the host's /usr/local/bin.
CMD ["sh", "-c", "cp /usr/local/bin/warmlane /usr/local/bin/warmlane-shim /out/ && echo installed to /out"]
