# One image for the cloud, the edge and the simulator; docker-compose.yml picks the command.
FROM node:24-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@12
COPY . .
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production
# Volumes mounted here inherit this ownership, so the edge can write its SQLite file.
RUN mkdir -p /var/lib/unison/edge /app/.data && chown -R node:node /var/lib/unison /app/.data
USER node
