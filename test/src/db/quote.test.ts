import { describe, expect, it } from 'vitest';
import { assertPlainName, qualify, quoteId } from '../../../src/db/quote.js';
import { parseServerVersion } from '../../../src/db/server-info.js';
import { redactSecrets } from '../../../src/log/redact.js';

describe('identifier quoting', () => {
  it('doubles backticks so a hostile name stays one identifier', () => {
    expect(quoteId('x`; DROP DATABASE crm; --')).toBe('`x``; DROP DATABASE crm; --`');
    expect(qualify('a', 'b`c')).toBe('`a`.`b``c`');
    expect(() => quoteId('')).toThrow();
    expect(() => quoteId('a\0b')).toThrow(/NUL/);
  });

  it('accepts only plain names where we create the object', () => {
    expect(assertPlainName('crm_report', 'schema')).toBe('crm_report');
    expect(() => assertPlainName('crm-report', 'schema')).toThrow(/invalid schema/);
    expect(() => assertPlainName('a'.repeat(65), 'schema')).toThrow();
  });
});

describe('server version and redaction', () => {
  it('detects the flavor', () => {
    expect(parseServerVersion('10.11.6-MariaDB-0+deb12u1')).toMatchObject({
      flavor: 'mariadb',
      major: 10,
      minor: 11,
    });
    expect(parseServerVersion('8.4.3')).toMatchObject({ flavor: 'mysql', major: 8, minor: 4 });
  });

  it('removes passwords from URLs in text', () => {
    expect(redactSecrets('failed for mysql://app:hunter2@db:3306/crm now')).toBe(
      'failed for mysql://app:***@db:3306/crm now',
    );
    expect(redactSecrets('mysql://app@db/crm')).toBe('mysql://app@db/crm');
  });
});
