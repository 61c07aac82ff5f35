/** Foreign-key rules read back from SHOW CREATE TABLE text, against a generator that writes it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FkRule, fkRulesFromDdl } from '../../../src/catalog/fk-rules-from-ddl.js';

const RULES: FkRule[] = ['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION'];
const q = (s: string) => `\`${s.replaceAll('`', '``')}\``;
// Names that try to look like rules, or like another constraint's head.
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('x ON DELETE CASCADE', 'ON UPDATE SET NULL`', 'CONSTRAINT `a` FOREIGN KEY', '``'));

describe('fkRulesFromDdl', () => {
  it('reads the rules as the server writes them, whatever the identifiers say', () => {
    fc.assert(
      fc.property(name, name, name, fc.option(fc.constantFrom(...RULES)), fc.option(fc.constantFrom(...RULES)), name, (fk, col, parent, del, upd, other) => {
        fc.pre(fk !== other);
        const line = (n: string, d: FkRule | null, u: FkRule | null) =>
          `  CONSTRAINT ${q(n)} FOREIGN KEY (${q(col)}) REFERENCES ${q(parent)} (${q(col)})${d ? ` ON DELETE ${d}` : ''}${u ? ` ON UPDATE ${u}` : ''}`;
        const ddl = [`CREATE TABLE ${q('t')} (`, `  ${q(col)} int(11) DEFAULT NULL COMMENT 'ON DELETE CASCADE',`, `${line(other, 'CASCADE', 'CASCADE')},`, line(fk, del, upd), ') ENGINE=InnoDB'].join('\n');
        expect(fkRulesFromDdl(ddl, fk)).toEqual({ onDelete: del ?? 'RESTRICT', onUpdate: upd ?? 'RESTRICT' });
      }),
    );
  });

  it('returns undefined for a constraint the DDL does not have', () => {
    expect(fkRulesFromDdl('CREATE TABLE `t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n)', 'fk_x')).toBeUndefined();
  });
});
