/**
 * Seals a JSON value with AES-256-GCM, bound to other JSON (the additional data, authenticated but
 * left readable): used for the manifest's table list, bound to the rest of the manifest.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A sealed value as stored in JSON, each part base64: the AES-256-GCM nonce (12 bytes), tag (16
 * bytes) and ciphertext.
 */
export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Seals `value` under `key` with a fresh random nonce. `boundTo` is authenticated with it (as
 * `stableStringify` text, so key order does not matter) but not stored: `openJson` must be given
 * the same value.
 */
export function sealJson(key: Buffer, value: unknown, boundTo: unknown): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(stableStringify(boundTo)));
  const data = Buffer.concat([c.update(JSON.stringify(value)), c.final()]);
  return { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Opens a sealed value; undefined when it does not authenticate (changed, or another key). */
export function openJson(key: Buffer, sealed: Sealed, boundTo: unknown): unknown {
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(stableStringify(boundTo)));
    d.setAuthTag(tag);
    const text = Buffer.concat([d.update(Buffer.from(sealed.data, 'base64')), d.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
