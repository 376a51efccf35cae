/**
 * `scripts/kafka start|stop|status|fetch|classpath|tool` — a real Apache Kafka for development,
 * tests and benchmarks, with no tarball and no Docker: Maven resolves the broker and Kafka's own
 * tools from Maven Central into `.cache/kafka/lib`, and we run `kafka.Kafka` with `java`.
 *
 * Combined broker+controller nodes in KRaft mode, bound to 127.0.0.1 only: one by default, or a
 * replicated cluster with `--nodes 3` (a 3-voter quorum, replication factor 3, min ISR 2, so the
 * fault tests can kill, pause and restart single nodes). Every node lives in
 * `.cache/kafka/<port>/node-<id>/` (config, data, logs, pid), so clusters on different ports stay
 * apart; `.cache/kafka/<port>/nodes` remembers how many nodes the cluster was formatted with.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { connectKafka, type Kafka } from "../lib/kafka/index.ts";

const root = resolve(import.meta.dir, "..");
const cache = process.env.DCHAT_KAFKA_CACHE ?? join(root, ".cache", "kafka");
const libDir = join(cache, "lib");
const pom = join(root, "scripts", "kafka-pom.xml");
const readyTopic = "_dchat.ready";

const usage = `usage: scripts/kafka <command> [--port N] [--nodes N] [--node K]

commands:
  start       resolve the jars if needed, format storage on first start, start the node(s) and
              wait until the cluster accepts a produce and a fetch (a no-op when already running);
              with --node K only that node (e.g. to restart one that was stopped or killed)
  stop        stop the node(s) cleanly (SIGTERM, then SIGKILL after 60 s); --node K: only that one
  kill        kill -9 one node (--node K), as a crash would
  pause       freeze one node (--node K) with SIGSTOP, as a hung machine would
  resume      let a paused node (--node K) run again (SIGCONT)
  status      each node: running, paused or not, with pid, address and log file; exit 0 only
              when every node runs
  fetch       resolve Kafka ${"4.3.1"} jars from Maven Central into ${libDir}
  classpath   print the Java classpath of the broker and Kafka's tools
  tool CLASS [ARGS...]
              run one of Kafka's tools, e.g. \`tool org.apache.kafka.tools.EndToEndLatency --help\`

options:
  --port N    broker port (default 9092, or $DCHAT_KAFKA_PORT); the controller uses N+1,
              a SASL listener N+2 and a TLS listener N+3 (see status)
  --nodes N   with start: number of nodes, 1 or 3 (default: as formatted before, else 1).
              3 nodes take the ports N, N+4 and N+8 (each with its four listeners), form a
              3-voter KRaft quorum, and default every topic (the internal ones too) to
              replication factor 3 with min.insync.replicas=2; unclean leader election is off
  --node K    the node a command acts on (1..nodes)
  --reset     with start: wipe the cluster's data first`;

/**
 * Every node has four listeners on consecutive ports: plaintext (what dchat uses by default), the
 * KRaft controller, SASL (PLAIN and SCRAM) and TLS — the last two so the security options are
 * tested against a real broker, not assumed.
 */
interface Node {
  id: number;
  dir: string;
  port: number;
  controllerPort: number;
  saslPort: number;
  sslPort: number;
}

/** Test credentials of the SASL listener (loopback only). */
const saslUser = { name: "dchat", password: "dchat-secret" };
const keystorePassword = "dchat-test";

function nodeFor(id: number, basePort: number): Node {
  const first = basePort + (id - 1) * 4;
  return {
    id,
    dir: join(cache, String(basePort), `node-${id}`),
    port: first,
    controllerPort: first + 1,
    saslPort: first + 2,
    sslPort: first + 3,
  };
}

/** The cluster's settings that depend on its size: one node cannot replicate. */
function replication(count: number): { factor: number; minIsr: number } {
  return count === 1 ? { factor: 1, minIsr: 1 } : { factor: 3, minIsr: 2 };
}

function serverProperties(node: Node, nodes: Node[]): string {
  const { factor, minIsr } = replication(nodes.length);
  // One node bootstraps itself (formatted --standalone); a cluster has static voters.
  const quorum =
    nodes.length === 1
      ? `controller.quorum.bootstrap.servers=127.0.0.1:${node.controllerPort}`
      : `controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",")}`;
  return `# Written by scripts/kafka; regenerated on every start.
process.roles=broker,controller
node.id=${node.id}
${quorum}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort},SASL_PLAINTEXT://127.0.0.1:${node.saslPort},SSL://127.0.0.1:${node.sslPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort},SASL_PLAINTEXT://127.0.0.1:${node.saslPort},SSL://127.0.0.1:${node.sslPort}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${saslUser.name}="${saslUser.password}";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.ssl.ssl.keystore.type=PKCS12
listener.name.ssl.ssl.keystore.location=${join(node.dir, "broker.p12")}
listener.name.ssl.ssl.keystore.password=${keystorePassword}
listener.name.ssl.ssl.key.password=${keystorePassword}
log.dirs=${join(node.dir, "data")}
num.partitions=1
default.replication.factor=${factor}
min.insync.replicas=${minIsr}
unclean.leader.election.enable=false
offsets.topic.replication.factor=${factor}
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=${factor}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=${factor}
share.coordinator.state.topic.min.isr=${minIsr}
# Tests join and leave groups constantly; the default 3 s delay would only slow them down.
group.initial.rebalance.delay.ms=0
`;
}

// Kafka ships no SLF4J binding and its log4j2 config is YAML (which needs an extra jar),
// so we hand log4j2 a properties file that sends everything to the node's server.log.
function log4jProperties(node: Node): string {
  return `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${join(node.dir, "server.log")}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
logger.state.name = state.change.logger
logger.state.level = warn
`;
}

function fail(message: string): never {
  console.error(`scripts/kafka: ${message}`);
  process.exit(1);
}

function classpath(): string {
  return join(libDir, "*");
}

function fetchJars(): void {
  if (existsSync(join(libDir, ".complete"))) return;
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).status !== 0)
    fail("java not found: install Java 17 or newer");
  console.error(`scripts/kafka: resolving Kafka from Maven Central into ${libDir} …`);
  rmSync(libDir, { recursive: true, force: true });
  const mvn = spawnSync(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      pom,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${libDir}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (mvn.error) fail(`could not run mvn (${mvn.error.message}): install Maven`);
  if (mvn.status !== 0) fail("mvn could not resolve the Kafka jars (see its output above)");
  writeFileSync(join(libDir, ".complete"), "");
}

function java(args: string[], node?: Node, clusterSize = 1): string[] {
  // Three nodes share a 2-core laptop with the clients under test: smaller heaps.
  const heap = process.env.DCHAT_KAFKA_HEAP ?? (clusterSize === 1 ? "768m" : "512m");
  const log = node ? [`-Dlog4j2.configurationFile=${join(node.dir, "log4j2.properties")}`] : [];
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    ...log,
    "-cp",
    classpath(),
    ...args,
  ];
}

function readPid(node: Node): number | undefined {
  const file = join(node.dir, "pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
  });
}

/** The id every node of one cluster is formatted with, made once per cluster. */
function clusterId(base: string): string {
  const file = join(base, "cluster-id");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const uuid = spawnSync("java", java(["kafka.tools.StorageTool", "random-uuid"]), { encoding: "utf8" });
  const id = uuid.stdout.trim().split("\n").pop() ?? "";
  if (uuid.status !== 0 || !id) fail(`could not make a cluster id: ${uuid.stderr.trim()}`);
  mkdirSync(base, { recursive: true });
  writeFileSync(file, id);
  return id;
}

function format(node: Node, id: string, standalone: boolean): void {
  const meta = join(node.dir, "data", "meta.properties");
  if (existsSync(meta)) return;
  const result = spawnSync(
    "java",
    java(
      [
        "kafka.tools.StorageTool",
        "format",
        "-t",
        id,
        "-c",
        join(node.dir, "server.properties"),
        ...(standalone ? ["--standalone"] : []),
        ...["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((mechanism) => [
          "--add-scram",
          `${mechanism}=[name=${saslUser.name},password=${saslUser.password}]`,
        ]),
      ],
      node,
    ),
    { encoding: "utf8" },
  );
  if (result.status !== 0) fail(`formatting storage failed: ${(result.stderr || result.stdout).trim()}`);
}

/**
 * Ready means a real round trip through the started nodes: the topic exists, a produce is
 * acknowledged by the cluster and a group fetch reads it back.
 */
async function waitReady(started: { node: Node; pid: number }[], deadlineMs: number): Promise<void> {
  const start = Date.now();
  const exited = (node: Node) =>
    fail(
      `node ${node.id} exited during start-up; see ${join(node.dir, "server.log")} and ${join(node.dir, "broker.out")}`,
    );
  for (const { node, pid } of started) {
    while (!(await portOpen(node.port))) {
      if (!isAlive(pid)) exited(node);
      if (Date.now() - start > deadlineMs)
        fail(`node ${node.id} did not open port ${node.port}; see ${join(node.dir, "server.log")}`);
      await Bun.sleep(250);
    }
  }
  const kafka = connectKafka({
    clientId: "dchat-kafka-script",
    brokers: started.map(({ node }) => `127.0.0.1:${node.port}`),
    ssl: false,
  });
  const marker = `ready-${Date.now()}`;
  for (;;) {
    try {
      await roundTrip(kafka, marker);
      return;
    } catch (error) {
      for (const { node, pid } of started) if (!isAlive(pid)) exited(node);
      if (Date.now() - start > deadlineMs)
        fail(`the cluster does not serve produce and fetch yet: ${String(error)}`);
      await Bun.sleep(500);
    }
  }
}

async function roundTrip(kafka: Kafka, marker: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: readyTopic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: readyTopic, acks: -1, messages: [{ value: marker }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "_dchat.ready", maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: readyTopic, fromBeginning: true });
    await new Promise<void>((done, failed) => {
      const timer = setTimeout(
        () => failed(new Error("fetch did not return the marker within 20 s")),
        20_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === marker) {
              clearTimeout(timer);
              done();
            }
          },
        })
        .catch(failed);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** A self-signed certificate for the TLS listener; its PEM (ca.pem) is the CA file clients trust. */
function keystore(node: Node): void {
  const p12 = join(node.dir, "broker.p12");
  if (existsSync(p12)) return;
  const keytool = (args: string[]) => {
    const result = spawnSync("keytool", args, { encoding: "utf8" });
    if (result.status !== 0)
      fail(`keytool failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`);
  };
  const store = ["-keystore", p12, "-storetype", "PKCS12", "-storepass", keystorePassword];
  keytool([
    "-genkeypair",
    ...["-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650"],
    ...["-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keypass", keystorePassword],
    ...store,
  ]);
  keytool(["-exportcert", "-rfc", "-alias", "broker", "-file", join(node.dir, "ca.pem"), ...store]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** How many nodes the cluster on this port was formatted with (none: never started). */
function formattedNodes(base: string): number | undefined {
  const file = join(base, "nodes");
  if (existsSync(file)) return Number(readFileSync(file, "utf8").trim());
  return existsSync(join(base, "node-1", "data", "meta.properties")) ? 1 : undefined;
}

async function start(nodes: Node[], only: Node[], reset: boolean): Promise<void> {
  const base = join(cache, String(nodes[0]?.port));
  if (reset) {
    for (const node of nodes) if (readPid(node)) fail(`node ${node.id} is running: stop it before --reset`);
    for (const node of nodes) rmSync(join(node.dir, "data"), { recursive: true, force: true });
    rmSync(join(base, "cluster-id"), { force: true });
  }
  const formatted = formattedNodes(base);
  if (!reset && formatted !== undefined && formatted !== nodes.length)
    fail(
      `the cluster on port ${nodes[0]?.port} was formatted with ${formatted} node(s): add --reset to remake it`,
    );
  const single = nodes.length === 1;
  const started: { node: Node; pid: number }[] = [];
  for (const node of only) {
    const running = readPid(node);
    if (running) {
      console.log(
        `kafka${single ? "" : ` node ${node.id}`} already running (pid ${running}) on 127.0.0.1:${node.port}`,
      );
      continue;
    }
    if (await portOpen(node.port))
      fail(`port ${node.port} is taken by another process; pick another with --port`);
    fetchJars();
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(join(node.dir, "server.properties"), serverProperties(node, nodes));
    writeFileSync(join(node.dir, "log4j2.properties"), log4jProperties(node));
    keystore(node);
    format(node, clusterId(base), single);
    const out = openSync(join(node.dir, "broker.out"), "a");
    const child = spawn(
      "java",
      java(["kafka.Kafka", join(node.dir, "server.properties")], node, nodes.length),
      {
        detached: true,
        stdio: ["ignore", out, out],
      },
    );
    if (!child.pid) fail("could not start java");
    child.unref();
    writeFileSync(join(node.dir, "pid"), String(child.pid));
    started.push({ node, pid: child.pid });
  }
  writeFileSync(join(base, "nodes"), String(nodes.length));
  if (started.length === 0) return;
  await waitReady(started, 120_000);
  for (const { node, pid } of started)
    console.log(
      `kafka${single ? "" : ` node ${node.id}`} running (pid ${pid}) on 127.0.0.1:${node.port}; log: ${join(node.dir, "server.log")}`,
    );
}

async function stop(node: Node, single: boolean): Promise<void> {
  const name = single ? "kafka" : `kafka node ${node.id}`;
  const pid = readPid(node);
  if (!pid) {
    console.log(`${name} is not running`);
    return;
  }
  // A paused JVM cannot act on SIGTERM.
  process.kill(pid, "SIGCONT");
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(200);
  if (isAlive(pid)) {
    process.kill(pid, "SIGKILL");
    console.log(`${name} (pid ${pid}) did not stop within 60 s and was killed`);
  } else {
    console.log(`${name} (pid ${pid}) stopped`);
  }
  rmSync(join(node.dir, "pid"), { force: true });
}

async function kill(node: Node): Promise<void> {
  const pid = readPid(node);
  if (!pid) fail(`node ${node.id} is not running`);
  process.kill(pid, "SIGKILL");
  while (isAlive(pid)) await Bun.sleep(20);
  rmSync(join(node.dir, "pid"), { force: true });
  console.log(`kafka node ${node.id} (pid ${pid}) killed`);
}

function signal(node: Node, name: "SIGSTOP" | "SIGCONT"): void {
  const pid = readPid(node);
  if (!pid) fail(`node ${node.id} is not running`);
  process.kill(pid, name);
  console.log(`kafka node ${node.id} (pid ${pid}) ${name === "SIGSTOP" ? "paused" : "resumed"}`);
}

/** A stopped (SIGSTOP) process shows state T in /proc on Linux; elsewhere a paused node shows as running. */
function isPaused(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  const text = readFileSync(stat, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).startsWith("T");
}

function status(nodes: Node[], single: boolean): number {
  let down = 0;
  for (const node of nodes) {
    const pid = readPid(node);
    const log = join(node.dir, "server.log");
    const prefix = single ? "" : `node ${node.id}: `;
    if (!pid) {
      down++;
      console.log(`${prefix}not running${existsSync(log) ? ` (last log: ${log})` : ""}`);
      continue;
    }
    const state = isPaused(pid) ? "paused" : "running";
    if (state === "paused") down++;
    console.log(`${prefix}${state}: pid ${pid}, 127.0.0.1:${node.port}, log ${log}`);
    if (single)
      console.log(
        `also: SASL (PLAIN, SCRAM-SHA-256/512; user ${saslUser.name}, password ${saslUser.password}) on 127.0.0.1:${node.saslPort}, ` +
          `TLS on 127.0.0.1:${node.sslPort} (CA ${join(node.dir, "ca.pem")})`,
      );
  }
  if (!single) console.log(`brokers: ${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`);
  return down === 0 ? 0 : 3;
}

function tool(args: string[]): number {
  fetchJars();
  const [main, ...rest] = args;
  if (!main) fail("tool needs a class name, e.g. org.apache.kafka.tools.EndToEndLatency");
  const heap = process.env.DCHAT_KAFKA_TOOL_HEAP ?? "512m";
  const result = spawnSync(
    "java",
    [`-Xmx${heap}`, "-Dlog4j2.level=warn", "-cp", classpath(), main, ...rest],
    { stdio: "inherit" },
  );
  return result.status ?? 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "tool") return tool(rest);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options }>>;
  const options = {
    port: { type: "string" },
    nodes: { type: "string" },
    node: { type: "string" },
    reset: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  } as const;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: false });
  } catch (error) {
    console.error(`scripts/kafka: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help || !command || command === "help" || command === "--help" || command === "-h") {
    console.log(usage);
    return command ? 0 : 2;
  }
  const port = Number(values.port ?? process.env.DCHAT_KAFKA_PORT ?? 9092);
  if (!Number.isInteger(port) || port < 1 || port > 65534)
    fail(`--port must be a port number, got ${values.port}`);
  const base = join(cache, String(port));
  const count = Number(values.nodes ?? formattedNodes(base) ?? 1);
  if (count !== 1 && count !== 3) fail(`--nodes must be 1 or 3, got ${values.nodes}`);
  const nodes = Array.from({ length: count }, (_, i) => nodeFor(i + 1, port));
  const chosen = values.node === undefined ? undefined : nodes[Number(values.node) - 1];
  if (values.node !== undefined && (!chosen || !/^\d+$/.test(values.node)))
    fail(`--node must be a node number from 1 to ${count}, got ${values.node}`);
  const one = (): Node => chosen ?? fail(`${command} needs --node K (1 to ${count})`);
  switch (command) {
    case "start":
      await start(nodes, chosen ? [chosen] : nodes, values.reset ?? false);
      return 0;
    case "stop":
      // All at once: the last node of a cluster stopped one by one has no quorum left to
      // shut down cleanly, and waits out the whole minute.
      await Promise.all((chosen ? [chosen] : nodes).map((node) => stop(node, count === 1)));
      return 0;
    case "kill":
      await kill(one());
      return 0;
    case "pause":
      signal(one(), "SIGSTOP");
      return 0;
    case "resume":
      signal(one(), "SIGCONT");
      return 0;
    case "status":
      return status(chosen ? [chosen] : nodes, count === 1);
    case "fetch":
      fetchJars();
      console.log(`jars in ${libDir} (${readdirSync(libDir).length} files)`);
      return 0;
    case "classpath":
      fetchJars();
      console.log(classpath());
      return 0;
    default:
      console.error(`scripts/kafka: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

process.exit(await main(process.argv.slice(2)));
