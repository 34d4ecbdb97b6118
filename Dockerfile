# syntax=docker/dockerfile:1
# Production image of Akol Webhooks (see README "Self-hosting with Docker Compose").
#
#   build   the whole repository with every dependency and the production build;
#           also the image of the one-shot `migrate` service (npm run db:migrate)
#   runner  the self-contained Next.js server (`output: "standalone"`): `node server.js`
#
# The runner needs DATABASE_URL, AUTH_SECRET and SECRETS_ENCRYPTION_KEY; with
# INNGEST_EVENT_KEY + INNGEST_SIGNING_KEY (+ INNGEST_BASE_URL for a self-hosted
# Inngest server) it serves its functions at /api/inngest, otherwise its embedded
# executor runs them. Migrations are not applied by the runner: run the build
# stage's `npm run db:migrate` first (the compose file's `migrate` service does).

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# Dependencies first (cached while only sources change); postinstall generates the Prisma client.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-engine-stub.sh ./scripts/prisma-engine-stub.sh
RUN npm ci --foreground-scripts
COPY . .
RUN npx next build

FROM node:${NODE_VERSION}-bookworm-slim AS runner
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0 PORT=3000 DATA_DIR=/app/.data
# glibc's malloc settings of `npm start` (scripts/v8-flags.mjs START_ENV): fewer arenas, thresholds that stay put.
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/public ./public
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# next-auth reads NEXTAUTH_URL; `npm start` derives it from APP_URL, and so does this image.
CMD ["sh", "-c", "export NEXTAUTH_URL=\"${NEXTAUTH_URL:-${APP_URL:-http://localhost:$PORT}}\" && exec node server.js"]
