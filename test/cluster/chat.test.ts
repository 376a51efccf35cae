/**
 * dchat chat while the leader of the room's partition fails: killed with -9 and restarted, then
 * (separately) frozen with SIGSTOP for longer than the request timeout. One client in line mode
 * (pipes) and one full screen (a PTY) each send numbered messages at ~20/s; each must show every
 * message of the other exactly once, in its sender's order, stay up, and say it lost and regained
 * the connection. The topic must hold every message once.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { PtyChat } from "../chat/pty.ts";
import { uniqueName } from "../support/broker.ts";
import { readValues } from "../support/client.ts";
import { externalCluster, skipped } from "../support/skips.ts";
import { lineClient } from "./line-client.ts";
import { healCluster, leaderOf, nodeDo, restartNode, startCluster, until } from "./support.ts";

const count = 200;
let brokers = "";

/** The numbers of `sender`'s messages in the order `lines` show them. */
function numbersFrom(lines: string[], sender: string): number[] {
  const pattern = new RegExp(`\\b${sender}: ${sender}-(\\d+)\\b`);
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

const inOrderOnce = Array.from({ length: count }, (_, i) => i + 1);

type Fault = { name: string; inject(leader: number): Promise<void> };

async function chatThrough(fault: Fault) {
  const room = uniqueName("cluster-chat");
  const alice = lineClient(brokers, room, "alice");
  await until("alice joined", () => alice.out.stdout.includes("User [alice] has entered"), 30_000).catch(
    (error) => {
      alice.proc.kill("SIGKILL");
      throw new Error(`${String(error)}\nalice's stderr:\n${alice.out.stderr}`);
    },
  );
  // Bob joins once alice is live, so each sees the other's join (both start with no history).
  const bob = new PtyChat(["--room", room, "--user", "bob", "--brokers", brokers, "--history", "0"], {
    cols: 70,
    rows: 2 * count + 60,
  });
  try {
    await bob.until("bob joined", (s) => s.rows().join("\n").includes("User [bob] has entered"), 30_000);
    await until("alice saw bob join", () => alice.out.stdout.includes("User [bob] has entered"), 30_000);
    const leader = await leaderOf(room);
    let faulted: Promise<void> = Promise.resolve();
    for (let i = 1; i <= count; i++) {
      if (i === 30) faulted = fault.inject(leader);
      alice.say(`alice-${i}`);
      bob.type(`bob-${i}\r`);
      await Bun.sleep(50);
    }
    await faulted;
    const sawAll = () =>
      numbersFrom(alice.lines(), "bob").length >= count &&
      numbersFrom(bob.screen.rows(), "alice").length >= count;
    await until("both clients to show all of the other's messages", sawAll, 120_000);
    // The longest wait between two consecutive messages of bob on alice's screen.
    const times = alice.arrivals
      .filter(({ line }) => numbersFrom([line], "bob").length > 0)
      .map(({ at }) => at);
    const gapMs = Math.max(...times.slice(1).map((at, i) => at - (times[i] as number)));
    // Every message of the other exactly once and in order, on both kinds of screen.
    expect(numbersFrom(alice.lines(), "bob")).toEqual(inOrderOnce);
    expect(numbersFrom(bob.screen.rows(), "alice")).toEqual(inOrderOnce);
    // Both said they lost the connection and got it back.
    expect(alice.out.stderr).toContain("connection to Kafka lost");
    expect(alice.out.stderr).toContain("connected to Kafka again");
    expect(bob.text()).toContain("Connection to Kafka lost");
    expect(bob.text()).toContain("Connection to Kafka is back.");
    // Neither exited; both leave cleanly now.
    expect(alice.proc.exitCode).toBeNull();
    expect(bob.proc.exitCode).toBeNull();
    bob.type("exit\r");
    expect(await alice.leave()).toBe(0);
    expect(alice.out.stderr).not.toContain("not sent:");
    expect(await bob.exited()).toBe(0);
    const messages = readValues(brokers, room).map((v) => JSON.parse(v).message as string);
    for (const sender of ["alice", "bob"]) {
      const sent = messages.filter((m) => m.startsWith(`${sender}-`)).map((m) => Number(m.split("-")[1]));
      expect(sent).toEqual(inOrderOnce);
    }
    console.log(
      `chat through ${fault.name} of node ${leader}: ${count}×2 messages shown once each; delivery gap ${(gapMs / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    // What the clients said is the evidence of a failure.
    throw new Error(
      `${String(error)}\nalice's stderr:\n${alice.out.stderr}\nalice's last lines:\n${alice.lines().slice(-5).join("\n")}\nbob's screen (end):\n${bob.screen.rows().filter(Boolean).slice(-8).join("\n")}`,
    );
  } finally {
    alice.proc.kill("SIGKILL");
    bob.proc.kill("SIGKILL");
  }
}

describe.skipIf(skipped(externalCluster("the cluster fault suite kills brokers")))(
  "chat on a 3-node cluster",
  () => {
    beforeAll(() => {
      brokers = startCluster();
    });
    afterEach(() => healCluster());

    test("the leader killed with -9 and restarted: every message shown once, in order, in both modes", async () => {
      await chatThrough({
        name: "kill -9 and restart",
        async inject(leader) {
          nodeDo("kill", leader);
          await restartNode(leader);
        },
      });
    }, 240_000);

    test("the leader paused past the request timeout and resumed: every message shown once, in order", async () => {
      await chatThrough({
        name: "a 35 s SIGSTOP",
        async inject(leader) {
          nodeDo("pause", leader);
          await Bun.sleep(35_000);
          nodeDo("resume", leader);
        },
      });
    }, 240_000);
  },
);
