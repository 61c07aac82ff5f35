/** The error a throttled run stops with. */
import { DualpipeError } from '../errors.js';

/**
 * A run stopped by its throttle: a `--critical-load` limit was exceeded, or a pause outlasted
 * `--max-pause`. Exit 1 (as a DualpipeError): the server must calm down, nothing the user typed
 * is wrong. The run stopped through its usual abort path, so nothing is left half-done.
 */
export class ThrottleError extends DualpipeError {
  /** `critical-load` or `max-pause`. */
  readonly limit: 'critical-load' | 'max-pause';
  /** What was over its limit, e.g. `Threads_running=73 > 40`. */
  readonly reason: string;
  constructor(kind: 'critical-load' | 'max-pause', reason: string, message: string, hint: string) {
    super(message, { hint });
    this.limit = kind;
    this.reason = reason;
  }
}
