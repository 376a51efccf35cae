/**
 * `scripts/kafka start|stop|status|fetch|classpath|tool` — a real Apache Kafka for development,
 * tests and benchmarks, with no tarball and no Docker: Maven resolves the broker and Kafka's own
 * tools from Maven Central into `.cache/kafka/lib`, and we run `kafka.Kafka` with `java`.
 *
 * One combined broker+controller node in KRaft mode, bound to 127.0.0.1 only. Every node lives
 * in `.cache/kafka/<port>/node-<id>/` (config, data, logs, pid), so clusters on different ports
 * stay apart and a later `--nodes N` only has to write N such directories and a shared quorum.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { connectKafka, type Kafka } from "../lib/kafka.ts";

const root = resolve(import.meta.dir, "..");
const cache = process.env.DCHAT_KAFKA_CACHE ?? join(root, ".cache", "kafka");
const libDir = join(cache, "lib");
const pom = join(root, "scripts", "kafka-pom.xml");
const readyTopic = "_dchat.ready";

const usage = `usage: scripts/kafka <command> [--port N] [--nodes 1]

commands:
  start       resolve the jars if needed, format storage on first start, start the broker and
              wait until it accepts a produce and a fetch (a no-op when already running)
  stop        stop the broker cleanly (SIGTERM, then SIGKILL after 60 s)
  status      running or not, with pid, address and log file; exit 0 only when running
  fetch       resolve Kafka ${"4.3.1"} jars from Maven Central into ${libDir}
  classpath   print the Java classpath of the broker and Kafka's tools
  tool CLASS [ARGS...]
              run one of Kafka's tools, e.g. \`tool org.apache.kafka.tools.EndToEndLatency --help\`

options:
  --port N    broker port (default 9092, or $DCHAT_KAFKA_PORT); the controller uses N+1,
              a SASL listener N+2 and a TLS listener N+3 (see status)
  --nodes N   number of nodes (only 1 is supported for now)
  --reset     with start: wipe the node's data first`;

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

function serverProperties(node: Node): string {
  return `# Written by scripts/kafka; regenerated on every start.
process.roles=broker,controller
node.id=${node.id}
controller.quorum.bootstrap.servers=127.0.0.1:${node.controllerPort}
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
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
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

function java(args: string[], node?: Node): string[] {
  const heap = process.env.DCHAT_KAFKA_HEAP ?? "768m";
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

function format(node: Node): void {
  const meta = join(node.dir, "data", "meta.properties");
  if (existsSync(meta)) return;
  const uuid = spawnSync("java", java(["kafka.tools.StorageTool", "random-uuid"]), { encoding: "utf8" });
  const clusterId = uuid.stdout.trim().split("\n").pop() ?? "";
  if (uuid.status !== 0 || !clusterId) fail(`could not make a cluster id: ${uuid.stderr.trim()}`);
  const result = spawnSync(
    "java",
    java(
      [
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        join(node.dir, "server.properties"),
        "--standalone",
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

/** Ready means a real round trip: the topic exists, a produce is acknowledged and a group fetch reads it back. */
async function waitReady(node: Node, pid: number, deadlineMs: number): Promise<void> {
  const start = Date.now();
  while (!(await portOpen(node.port))) {
    if (!isAlive(pid))
      fail(
        `the broker exited during start-up; see ${join(node.dir, "server.log")} and ${join(node.dir, "broker.out")}`,
      );
    if (Date.now() - start > deadlineMs)
      fail(`the broker did not open port ${node.port}; see ${join(node.dir, "server.log")}`);
    await Bun.sleep(250);
  }
  const kafka = connectKafka({
    clientId: "dchat-kafka-script",
    brokers: [`127.0.0.1:${node.port}`],
    ssl: false,
  });
  const marker = `ready-${Date.now()}`;
  for (;;) {
    try {
      await roundTrip(kafka, marker);
      return;
    } catch (error) {
      if (!isAlive(pid)) fail(`the broker exited during start-up; see ${join(node.dir, "server.log")}`);
      if (Date.now() - start > deadlineMs)
        fail(`the broker does not serve produce and fetch yet: ${String(error)}`);
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

async function start(node: Node, reset: boolean): Promise<void> {
  const running = readPid(node);
  if (running) {
    console.log(`kafka already running (pid ${running}) on 127.0.0.1:${node.port}`);
    return;
  }
  if (await portOpen(node.port))
    fail(`port ${node.port} is taken by another process; pick another with --port`);
  fetchJars();
  if (reset) rmSync(join(node.dir, "data"), { recursive: true, force: true });
  mkdirSync(node.dir, { recursive: true });
  writeFileSync(join(node.dir, "server.properties"), serverProperties(node));
  writeFileSync(join(node.dir, "log4j2.properties"), log4jProperties(node));
  keystore(node);
  format(node);
  const out = openSync(join(node.dir, "broker.out"), "a");
  const child = spawn("java", java(["kafka.Kafka", join(node.dir, "server.properties")], node), {
    detached: true,
    stdio: ["ignore", out, out],
  });
  if (!child.pid) fail("could not start java");
  child.unref();
  writeFileSync(join(node.dir, "pid"), String(child.pid));
  await waitReady(node, child.pid, 120_000);
  console.log(
    `kafka running (pid ${child.pid}) on 127.0.0.1:${node.port}; log: ${join(node.dir, "server.log")}`,
  );
}

async function stop(node: Node): Promise<void> {
  const pid = readPid(node);
  if (!pid) {
    console.log("kafka is not running");
    return;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(200);
  if (isAlive(pid)) {
    process.kill(pid, "SIGKILL");
    console.log(`kafka (pid ${pid}) did not stop within 60 s and was killed`);
  } else {
    console.log(`kafka (pid ${pid}) stopped`);
  }
  rmSync(join(node.dir, "pid"), { force: true });
}

function status(node: Node): number {
  const pid = readPid(node);
  const log = join(node.dir, "server.log");
  if (pid) {
    console.log(`running: pid ${pid}, 127.0.0.1:${node.port}, log ${log}`);
    console.log(
      `also: SASL (PLAIN, SCRAM-SHA-256/512; user ${saslUser.name}, password ${saslUser.password}) on 127.0.0.1:${node.saslPort}, ` +
        `TLS on 127.0.0.1:${node.sslPort} (CA ${join(node.dir, "ca.pem")})`,
    );
    return 0;
  }
  console.log(`not running${existsSync(log) ? ` (last log: ${log})` : ""}`);
  return 3;
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
  const nodes = Number(values.nodes ?? 1);
  if (nodes !== 1) fail("--nodes: only a single node is supported for now");
  const node = nodeFor(1, port);
  switch (command) {
    case "start":
      await start(node, values.reset ?? false);
      return 0;
    case "stop":
      await stop(node);
      return 0;
    case "status":
      return status(node);
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
