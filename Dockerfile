# syntax=docker/dockerfile:1
# PhoneVoice app image: Node 20 on Debian bookworm, runs TypeScript through tsx (no build
# step, same as `npm start`), as the unprivileged `node` user. Models and data live in
# volumes (/app/models, /var/lib/phonevoice), never in the image.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# onnxruntime-node's install script fetches optional CUDA extras (the CPU build ships in the package):
# npm >= 11.19 skips it through package.json "allowScripts"; the image's npm 10 needs the variable.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates espeak-ng \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PHONEVOICE_DATA_DIR=/var/lib/phonevoice
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json tsconfig.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root src ./src
COPY --chown=root:root scripts ./scripts
COPY --chown=root:root config ./config
RUN mkdir -p /var/lib/phonevoice /app/models \
 && chown node:node /var/lib/phonevoice /app/models
USER node
VOLUME ["/var/lib/phonevoice", "/app/models"]
EXPOSE 8080 5060/udp 5060/tcp
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PHONEVOICE_HTTP_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "node_modules/tsx/dist/cli.mjs", "src/main.ts"]
