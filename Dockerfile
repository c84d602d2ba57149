# syntax=docker/dockerfile:1
# One image for both processes; docker-compose.yml picks the command:
#   node dist/apps/api/src/main.js      (HTTP API on PORT, default 3000)
#   node dist/apps/worker/src/main.js   (projections, reactors, BullMQ processors)
# and carries the command line: node dist/apps/cli/src/main.js audit|projections ...

# ---- build: every dependency (swc is a devDependency), then compile apps and libs to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY .swcrc tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- runtime: production dependencies, the compiled code and the catalog, as the node user ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# CATALOG_FILE defaults to config/catalog.development.json under the working directory (/app).
# Mount your own catalog and point CATALOG_FILE at it for anything but development.
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
