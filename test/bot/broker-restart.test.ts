/**
 * The bot survives a broker restart: on a private broker (its own port, so no other test loses
 * its broker), a question is answered, the broker is stopped and started again, and the next
 * question is answered too — once each. Its /readyz says ready, not ready while the broker is
 * down, and ready again.
 */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "../support/broker.ts";
import { answersWhen, BotProcess, createRoom, say, testKafka } from "./support.ts";

function kafkaScript(args: string[]): void {
  const result = spawnSync(join(repoRoot, "scripts", "kafka"), args, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`scripts/kafka ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A base port whose four neighbours (broker, controller, SASL, TLS) are all free. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 4 * Math.floor(Math.random() * 2000);
    const free = await Promise.all([0, 1, 2, 3].map((i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error("no free port range for a private broker");
}

test("keeps answering across a broker restart", async () => {
  const port = await freeBasePort();
  const brokers = `127.0.0.1:${port}`;
  const room = `bot-restart-${crypto.randomUUID().slice(0, 8)}`;
  kafkaScript(["start", "--port", String(port), "--reset"]);
  let bot: BotProcess | undefined;
  try {
    const kafka = await testKafka(brokers);
    await createRoom(kafka, room);
    bot = new BotProcess(brokers, [
      "--rooms",
      room,
      "--group",
      "bot-restart",
      "--rescan",
      "2",
      "--metrics",
      "127.0.0.1:0",
    ]);
    const metrics = String((await bot.waitFor("the metrics address", (l) => l.event === "metrics")).url);
    const readyz = async () => (await fetch(`${metrics}/readyz`)).status;
    /** Polls /readyz until it answers `status` (or fails after 30 s). */
    const readyzBecomes = async (status: number) => {
      const deadline = Date.now() + 30_000;
      while ((await readyz()) !== status) {
        if (Date.now() > deadline) throw new Error(`/readyz never answered ${status}`);
        await Bun.sleep(200);
      }
      return status;
    };
    await bot.serving(room);
    const readiness = [await readyz()];
    const before = kafka.producer();
    await before.connect();
    await say(before, room, "kim", "@bot 기생충 | 감독");
    await answersWhen(brokers, room, (a) => a.length >= 1);
    await before.disconnect();

    kafkaScript(["stop", "--port", String(port)]);
    readiness.push(await readyzBecomes(503));
    kafkaScript(["start", "--port", String(port)]);

    const after = kafka.producer();
    await after.connect();
    await say(after, room, "lee", "@bot 올드보이 | 제작년도");
    // Asked last: once it is answered, every answer before it is final.
    const sentinel = await say(after, room, "sentinel", "@bot 기생충 | 제작년도");
    await after.disconnect();
    const answers = await answersWhen(brokers, room, (a) => a.some((r) => r.replyTo === sentinel), 60_000);
    readiness.push(await readyzBecomes(200));
    expect(readiness).toEqual([200, 503, 200]);
    expect(answers.map((a) => a.message)).toEqual([
      "기생충을 만든 감독의 이름은 봉준호 입니다.",
      "올드보이의 제작년도는 2003 입니다.",
      "기생충의 제작년도는 2019 입니다.",
    ]);
    bot.proc.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  } finally {
    bot?.proc.kill("SIGKILL");
    kafkaScript(["stop", "--port", String(port)]);
    rmSync(join(repoRoot, ".cache", "kafka", String(port)), { recursive: true, force: true });
  }
}, 120_000);
