# syntax=docker/dockerfile:1
# lineofsight: the daemon (`lineofsight serve`) and its CLI. Config and data are volumes; every
# secret comes from the environment at run time, never from the image.

# Build: the TypeScript compiled with every dependency, dev ones included.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only; better-sqlite3's native addon is built here, where the compilers are.
FROM node:20-bookworm AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    LINEOFSIGHT_CONFIG=/etc/lineofsight/lineofsight.yaml
WORKDIR /app
# A user of its own, owning nothing but the data folder.
RUN groupadd --system --gid 10001 lineofsight \
 && useradd --system --uid 10001 --gid lineofsight --home-dir /var/lib/lineofsight --shell /usr/sbin/nologin lineofsight \
 && mkdir -p /var/lib/lineofsight /etc/lineofsight \
 && chown lineofsight:lineofsight /var/lib/lineofsight
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The demo's pipelines, its config files and the real open-data exports: the config a deployment
# mounts at LINEOFSIGHT_CONFIG names its own, or these.
COPY pipelines ./pipelines
COPY config ./config
COPY open-data ./open-data
USER lineofsight
# Config (a folder holding lineofsight.yaml and what it names) and data: mount both. Paths in a
# config are relative to /app, which is read-only to the service: give the store's file,
# email.files_dir and anything else written absolute paths under /var/lib/lineofsight.
VOLUME ["/etc/lineofsight", "/var/lib/lineofsight"]
EXPOSE 9464
# /healthz answers while the process serves, whatever the store: the container is restarted only
# when the process itself is stuck. LINEOFSIGHT_HEALTH_URL follows a config that moves the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.LINEOFSIGHT_HEALTH_URL ?? 'http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
