/**
 * Runs the built web app (what `next start` does) behind one rule of its own: the browser's
 * address reaches the app, and through the /api proxy the gateway, as the only X-Forwarded-For
 * entry. Next keeps whatever X-Forwarded-For a browser sends, so without this a browser could
 * pick the address the gateway rate-limits it by.
 *
 *   node scripts/server.mjs            # env: PORT (3000), FOTOAI_WEB_HOST (127.0.0.1)
 *
 * FOTOAI_WEB_TRUST_PROXY=1 when a reverse proxy (an ingress) in front of this server sets
 * X-Forwarded-For itself: its list is kept as it is.
 */
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.FOTOAI_WEB_HOST || "127.0.0.1";
const trustProxy = process.env.FOTOAI_WEB_TRUST_PROXY === "1";

const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  if (!(trustProxy && req.headers["x-forwarded-for"])) {
    const peer = req.socket.remoteAddress ?? "";
    // IPv4 peers of a dual-stack socket read ::ffff:127.0.0.1.
    req.headers["x-forwarded-for"] = peer.startsWith("::ffff:") ? peer.slice(7) : peer;
  }
  handle(req, res).catch((err) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(port, hostname, () => console.log(`web: http://${hostname}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
