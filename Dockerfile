# syntax=docker/dockerfile:1
# One image for every Kubently process; the Deployment picks the entry point:
#   gateway (default)        dist/gateway/main.js
#   agent                    dist/agent/main.js
#   audit consumer           dist/audit/main.js
#   JetStream provisioning   dist/scripts/provision.js
# Pin NODE_IMAGE to a digest in your registry for reproducible builds.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY common ./common
COPY gateway ./gateway
COPY agent ./agent
COPY audit ./audit
COPY sim ./sim
COPY cli ./cli
COPY scripts ./scripts
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script runs with the runtime's dependencies.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and read-only to the process; the container runs with a read-only root
# filesystem and never needs a shell.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["node"]
CMD ["dist/gateway/main.js"]
