/** The bounds of a run from flag > environment > config file > default (README "Timeouts and stalls"). */
import { UsageError } from '../errors.js';
import { parseRunDuration } from './duration.js';
import { DEFAULT_STALL_TIMEOUT_MS } from './run-watch.js';

/** Where each bound may be given: durations as text (`90`, `90s`, `5m`) or seconds. */
export interface LimitInputs {
  flags: { stallTimeout?: string; maxRuntime?: string; connectTimeout?: string };
  env: Record<string, string | undefined>;
  file: { stallTimeout?: string | number; maxRuntime?: string | number; connectTimeout?: number } | undefined;
}

/** The resolved bounds in ms; 0 disables the stall watchdog or the runtime bound. */
export interface RunLimits {
  stallTimeoutMs: number;
  maxRuntimeMs: number;
  connectTimeoutMs: number;
}

/** The default connect timeout: 10 s, as mysql2's. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Merges flags > DUALPIPE_STALL_TIMEOUT / DUALPIPE_MAX_RUNTIME / DUALPIPE_CONNECT_TIMEOUT > config `limits` > defaults. */
export function resolveRunLimits({ flags, env, file }: LimitInputs): RunLimits {
  const pick = (flag: string | undefined, envKey: string, fileValue: string | number | undefined) => flag ?? env[envKey] ?? fileValue;
  const stall = pick(flags.stallTimeout, 'DUALPIPE_STALL_TIMEOUT', file?.stallTimeout);
  const max = pick(flags.maxRuntime, 'DUALPIPE_MAX_RUNTIME', file?.maxRuntime);
  const connect = pick(flags.connectTimeout, 'DUALPIPE_CONNECT_TIMEOUT', file?.connectTimeout);
  const connectS = connect === undefined ? DEFAULT_CONNECT_TIMEOUT_MS / 1000 : Number(connect);
  if (!Number.isFinite(connectS) || connectS < 1 || connectS > 3600)
    throw new UsageError(`invalid connect timeout "${connect}"`, { hint: 'use seconds from 1 to 3600' });
  return {
    stallTimeoutMs: stall === undefined ? DEFAULT_STALL_TIMEOUT_MS : Math.round(parseRunDuration(stall, 'stall timeout') * 1000),
    maxRuntimeMs: max === undefined ? 0 : Math.round(parseRunDuration(max, 'maximum runtime') * 1000),
    connectTimeoutMs: Math.round(connectS * 1000),
  };
}
