# The cluster image: the TraceConfiguration controller + identity publisher (`controller`) and
# the node agent (`agent`), one image, compiled JavaScript only. See docs/kubernetes.md.
#   docker build -t <registry>.azurecr.io/retina-trace-backend:<tag> .
# Base images are pinned by exact version; pin them by digest too in your registry's policy.

FROM node:22.12.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY functions ./functions
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts

FROM node:22.12.0-bookworm-slim
# tcpdump (with libpcap) for the agent's capture; nothing else is added.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tcpdump=4.99.3-1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
ENV NODE_ENV=production
# The controller runs as this user; the agent's DaemonSet runs as root with only NET_RAW and NET_ADMIN.
USER 10001:10001
ENTRYPOINT ["node", "dist/shared/kubernetes/main.js"]
CMD ["controller"]
