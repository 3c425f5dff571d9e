# Shopsight image: one image for every role (`--role api|worker|all`).
# Not built on the project's machines (no container runtime there); kept deliberately simple. See docs/deploy.md.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
COPY package.json package-lock.json ./
# Dev dependencies are needed once: `postinstall` builds the dashboard with Vite.
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "src/main.ts"]
CMD ["start", "--role", "all"]
