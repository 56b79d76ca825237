# Costrail: gateway, API, dashboard and metrics in one process (`costrail serve`).
# Build: docker build -t costrail .   Run: docker run -p 4100:4100 -v costrail-data:/data costrail

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Sources first: `npm ci` runs `prepare`, which builds dist/ (server and dashboard).
COPY tsconfig.json eslint.config.js ./
COPY src ./src
COPY web ./web
COPY data ./data
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm ci && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    COSTRAIL_DATA=/data \
    COSTRAIL_PORT=4100
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
COPY --from=build /app/data ./data
RUN ln -s /app/dist/src/cli/main.js /usr/local/bin/costrail \
    && mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4100
# node:20-slim has no curl; Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.COSTRAIL_PORT || 4100) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["costrail", "serve", "--host", "0.0.0.0"]
