/**
 * `--metrics HOST:PORT`: /metrics (Prometheus text), /healthz (the process is alive) and
 * /readyz (this replica holds its assignment with its producers initialised, and has heard from
 * the group coordinator lately, so not while the broker is unreachable).
 */
import { UserError, usageError } from "../errors.ts";
import type { BotMetrics } from "./metrics.ts";

export interface Listen {
  hostname: string;
  port: number;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces). */
export function parseListen(text: string): Listen | UserError {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65_535)
    return usageError(`--metrics must be HOST:PORT (e.g. 127.0.0.1:9464 or :9464), got "${text}"`);
  return { hostname: match[1] ?? (match[2] || "0.0.0.0"), port };
}

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9464 (the real port when 0 was asked for). */
  url: string;
  stop(): void;
}

const START_SECONDS = Date.now() / 1000 - process.uptime();

export function serveMetrics(
  listen: Listen,
  metrics: BotMetrics,
  ready: () => boolean,
): MetricsServer | UserError {
  try {
    const server = Bun.serve({
      hostname: listen.hostname,
      port: listen.port,
      fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/metrics") {
          const cpu = process.cpuUsage();
          const body = metrics.render({
            residentBytes: process.memoryUsage.rss(),
            cpuSeconds: (cpu.user + cpu.system) / 1e6,
            startSeconds: START_SECONDS,
          });
          return new Response(body, {
            headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          });
        }
        if (path === "/healthz") return new Response("ok\n");
        if (path === "/readyz")
          return ready() ? new Response("ready\n") : new Response("not ready\n", { status: 503 });
        return new Response("not found: /metrics, /healthz, /readyz\n", { status: 404 });
      },
    });
    return {
      url: `http://${listen.hostname.includes(":") ? `[${listen.hostname}]` : listen.hostname}:${server.port}`,
      stop: () => server.stop(true),
    };
  } catch (error) {
    return new UserError(
      `cannot serve metrics on ${listen.hostname}:${listen.port}: ${(error as Error).message}`,
    );
  }
}
