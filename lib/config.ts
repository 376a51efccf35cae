/**
 * The Kafka connection every command shares. Precedence: flags > environment > config file >
 * defaults. Secrets (SASL password) come only from the environment or the file, never from flags,
 * which other users can read in `ps`.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UserError, usageError } from "./errors.ts";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** false: plaintext. Otherwise TLS, with extra CA certificates (PEM) when given. */
  ssl: false | { ca?: string[] };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** `node:util` parseArgs specs of the flags every command accepts. */
export const kafkaFlags = {
  brokers: { type: "string" },
  "client-id": { type: "string" },
  ssl: { type: "boolean" },
  "ssl-ca": { type: "string" },
  "sasl-mechanism": { type: "string" },
  config: { type: "string" },
} as const;

export const kafkaFlagsHelp = `Kafka connection (every command):
  --brokers LIST        comma-separated host:port list [$DCHAT_BROKERS, default localhost:9092]
  --client-id ID        client id shown in broker logs [$DCHAT_CLIENT_ID, default dchat]
  --ssl                 connect with TLS [$DCHAT_SSL=1]
  --ssl-ca FILE         extra CA certificate (PEM) to trust; implies --ssl [$DCHAT_SSL_CA]
  --sasl-mechanism M    plain, scram-sha-256 or scram-sha-512 [$DCHAT_SASL_MECHANISM];
                        credentials from $DCHAT_SASL_USERNAME and $DCHAT_SASL_PASSWORD
  --config FILE         JSON file with any of: brokers, clientId, ssl, sslCa, saslMechanism,
                        saslUsername, saslPassword [$DCHAT_CONFIG, default ~/.config/dchat/config.json]`;

export interface KafkaFlagValues {
  brokers?: string;
  "client-id"?: string;
  ssl?: boolean;
  "ssl-ca"?: string;
  "sasl-mechanism"?: string;
  config?: string;
}

interface FileConfig {
  brokers?: string | string[];
  clientId?: string;
  ssl?: boolean;
  sslCa?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
}

const mechanisms: readonly SaslMechanism[] = ["plain", "scram-sha-256", "scram-sha-512"];

export function kafkaSettings(
  flags: KafkaFlagValues,
  env: Record<string, string | undefined>,
): KafkaSettings | UserError {
  const file = readConfigFile(flags.config ?? env.DCHAT_CONFIG, env);
  if (file instanceof UserError) return file;

  const brokerList = flags.brokers ?? env.DCHAT_BROKERS ?? file.brokers ?? "localhost:9092";
  const brokers = (Array.isArray(brokerList) ? brokerList : brokerList.split(","))
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) return usageError("--brokers is empty: give host:port[,host:port…]");
  const bad = brokers.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b));
  if (bad !== undefined) return usageError(`broker "${bad}" is not host:port (e.g. localhost:9092)`);

  const caFile = flags["ssl-ca"] ?? env.DCHAT_SSL_CA ?? file.sslCa;
  const sslOn = flags.ssl ?? truthy(env.DCHAT_SSL) ?? file.ssl ?? caFile !== undefined;
  let ssl: KafkaSettings["ssl"] = false;
  if (sslOn) {
    if (caFile === undefined) ssl = {};
    else {
      if (!existsSync(caFile))
        return new UserError(`CA file ${caFile} does not exist (--ssl-ca / DCHAT_SSL_CA)`);
      ssl = { ca: [readFileSync(caFile, "utf8")] };
    }
  }

  const settings: KafkaSettings = {
    brokers,
    clientId: flags["client-id"] ?? env.DCHAT_CLIENT_ID ?? file.clientId ?? "dchat",
    ssl,
  };
  const mechanism = (
    flags["sasl-mechanism"] ??
    env.DCHAT_SASL_MECHANISM ??
    file.saslMechanism
  )?.toLowerCase();
  if (mechanism !== undefined) {
    if (!mechanisms.includes(mechanism as SaslMechanism)) {
      return usageError(`SASL mechanism "${mechanism}" is not one of ${mechanisms.join(", ")}`);
    }
    const username = env.DCHAT_SASL_USERNAME ?? file.saslUsername;
    const password = env.DCHAT_SASL_PASSWORD ?? file.saslPassword;
    if (username === undefined || password === undefined) {
      return usageError(
        `SASL ${mechanism} needs DCHAT_SASL_USERNAME and DCHAT_SASL_PASSWORD in the environment`,
      );
    }
    settings.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  return settings;
}

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return !["0", "false", "no", "off"].includes(value.toLowerCase());
}

function readConfigFile(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
): FileConfig | UserError {
  const path =
    explicit ?? join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), ".config"), "dchat", "config.json");
  if (!existsSync(path))
    return explicit === undefined ? {} : new UserError(`config file ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return new UserError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return new UserError(`config file ${path} must hold a JSON object`);
  }
  const types: Record<keyof FileConfig, string> = {
    brokers: "string",
    clientId: "string",
    ssl: "boolean",
    sslCa: "string",
    saslMechanism: "string",
    saslUsername: "string",
    saslPassword: "string",
  };
  for (const [key, value] of Object.entries(parsed)) {
    const expected = types[key as keyof FileConfig];
    if (expected === undefined) return new UserError(`config file ${path}: unknown key "${key}"`);
    const ok =
      typeof value === expected ||
      (key === "brokers" && Array.isArray(value) && value.every((v) => typeof v === "string"));
    if (!ok) return new UserError(`config file ${path}: "${key}" must be a ${expected}`);
  }
  return parsed as FileConfig;
}
