import { describe, expect, it } from 'vitest';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { isOldLayoutTable } from '../../../sync/shadow/move-to-internal.js';

describe('internalSchemaOf', () => {
  it('appends __dualpipe, and keeps long names within 64 characters and distinct', () => {
    expect(internalSchemaOf('crm_report')).toBe('crm_report__dualpipe');
    const a = internalSchemaOf('r'.repeat(60) + 'a');
    const b = internalSchemaOf('r'.repeat(60) + 'b');
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a.endsWith('__dualpipe')).toBe(true);
    expect(a).not.toBe(b);
  });

  it('knows the tables of the old layout (in the report schema) by name', () => {
    for (const t of ['_dualpipe_runs', '_dualpipe_sync_keys', '__dp_gen', '__dp_shadow___dp_gen', '__dp_shadow_contacts']) expect(isOldLayoutTable(t)).toBe(true);
    for (const t of ['contacts', 'rpt_customer_360', 'dualpipe_migrations', '__dp_new_contacts', 'dualpipe_freshness']) expect(isOldLayoutTable(t)).toBe(false);
  });
});
