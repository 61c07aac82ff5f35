/** The `howto` fenced blocks of a how-to in docs/ (```sql howto source, ```sh howto, …), for tests that run the doc. */

/** One `howto` block of the doc: its language, its info words (`howto`, then the rest) and its text. */
export interface HowtoBlock {
  lang: string;
  info: string[];
  body: string;
}

/** The `howto` and `howto-output` blocks of a markdown text, in order. */
export function howtoBlocks(markdown: string): HowtoBlock[] {
  const blocks: HowtoBlock[] = [];
  for (const m of markdown.matchAll(/^```(\w+) (howto(?:-output)?)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    blocks.push({ lang: m[1]!, info: [m[2]!, ...m[3]!.trim().split(/\s+/).filter(Boolean)], body: m[4]! });
  }
  return blocks;
}
