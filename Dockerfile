# syntax=docker/dockerfile:1
#
# mailprobe as a container image: `docker build -t mailprobe .` then
# `docker run --rm mailprobe bench smtp://mx.example.org --scenario smtp-send --rcpt … --rate 50`.
# The image used by deploy/kubernetes (one shard per Indexed Job pod, and the merge).
#
# Two stages: the build stage compiles TypeScript with the dev dependencies; the runtime stage
# installs the production dependencies only (from the lockfile) and copies the compiled dist/.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json index.ts ./
COPY scripts ./scripts
COPY bin ./bin
COPY drivers ./drivers
COPY engine ./engine
COPY reports ./reports
COPY sandbox ./sandbox
COPY suites ./suites
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/mailprobe
COPY package.json package-lock.json ./
# Production dependencies only; --ignore-scripts keeps "prepare" (a build) from running here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force
COPY --from=build /src/dist ./dist
# Smoke test: the CLI starts and the lazily loaded engine, scenarios and reporters resolve with
# the production dependencies alone.
RUN chmod 0755 dist/bin/mailprobe.js \
    && ln -s /opt/mailprobe/dist/bin/mailprobe.js /usr/local/bin/mailprobe \
    && mailprobe --version \
    && node --input-type=module -e "for (const m of ['engine/load/index.js', 'suites/bench/smtp-send.js', 'bin/commands/merge.js', 'reports/html/index.js']) await import('/opt/mailprobe/dist/' + m)"
# The image's unprivileged user (uid 1000); a shard needs no privileges: outbound connections only.
USER node
WORKDIR /home/node
ENTRYPOINT ["mailprobe"]
CMD ["--help"]
