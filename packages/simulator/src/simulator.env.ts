import { z } from 'zod';
import { checkTopicPrefix } from './mqtt/mqtt.payload.ts';
import type { SimulatorOptions } from './simulator.ts';

const OFF = 'off';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be a whole number from ${min} to ${max}`);

const portOrOff = z.union([z.literal(OFF), wholeNumber(0, 65_535)], {
  error: `must be a port number from 0 to 65535 or '${OFF}'`,
});

const mqttUrlOrOff = z.union(
  [
    z.literal(OFF),
    z
      .string()
      .trim()
      .refine((value) => URL.canParse(value) && /^(mqtts?|wss?|tcp):$/.test(new URL(value).protocol)),
  ],
  { error: `must be an mqtt://, mqtts://, ws:// or wss:// URL, or '${OFF}'` },
);

const topicPrefix = z.string().refine(
  (value) => {
    try {
      return checkTopicPrefix(value) === value;
    } catch {
      return false;
    }
  },
  { error: "must be one topic level without '/', '+', '#' or spaces" },
);

const simulatorEnv = z.object({
  SIM_SEED: wholeNumber(0, 2 ** 32 - 1).default(42),
  SIM_TICK_MS: wholeNumber(0, 3_600_000).default(1000),
  SIM_HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  SIM_OPCUA_PORT: portOrOff.default(4840),
  SIM_OPCUA_PKI_DIR: z.string().min(1).optional(),
  SIM_MODBUS_PORT: portOrOff.default(5020),
  SIM_MQTT_URL: mqttUrlOrOff.default('mqtt://127.0.0.1:1884'),
  SIM_MQTT_PREFIX: topicPrefix.default('sim'),
});

export type SimulatorConfig = Omit<SimulatorOptions, 'log'>;

/** Reads the SIM_* variables once; a bad one is a user error with a one-line message. */
export function simulatorOptionsFromEnv(
  env: Record<string, string | undefined>,
): { ok: true; options: SimulatorConfig } | { ok: false; error: string } {
  const present = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith('SIM_') && value),
  );
  const parsed = simulatorEnv.safeParse(present);
  if (!parsed.success) {
    const error = parsed.error.issues
      .map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        return `${name}=${JSON.stringify(env[name] ?? '')} ${issue.message}`;
      })
      .join('; ');
    return { ok: false, error };
  }
  const config = parsed.data;
  return {
    ok: true,
    options: {
      seed: config.SIM_SEED,
      tickMs: config.SIM_TICK_MS,
      host: config.SIM_HOST,
      opcua:
        config.SIM_OPCUA_PORT === OFF
          ? false
          : {
              port: config.SIM_OPCUA_PORT,
              ...(config.SIM_OPCUA_PKI_DIR ? { pkiDir: config.SIM_OPCUA_PKI_DIR } : {}),
            },
      modbus: config.SIM_MODBUS_PORT === OFF ? false : { port: config.SIM_MODBUS_PORT },
      mqtt:
        config.SIM_MQTT_URL === OFF
          ? false
          : { url: config.SIM_MQTT_URL, topicPrefix: config.SIM_MQTT_PREFIX },
    },
  };
}
