/** What two translations of the README must share: structure, configuration variables, code. */
export interface ReadmeOutline {
  /** `##` and `###` headings outside code blocks, in order: `## Quick start`. */
  readonly headings: readonly string[];
  /** The first cell of every table row that is one `UPPER_CASE` name in backticks: the settings table. */
  readonly variables: readonly string[];
  /** Every fenced code block, fences included, in order. */
  readonly codeBlocks: readonly string[];
  /** Targets of in-page links, `[text](#target)`, outside code blocks. */
  readonly anchorLinks: readonly string[];
  /** The anchors GitHub gives the headings (`## Quick start` -> `quick-start`). */
  readonly anchors: ReadonlySet<string>;
}

const FENCE = /^```/;
const HEADING = /^(#{2,3}) (.+)$/;
const VARIABLE_ROW = /^\| `([A-Z][A-Z0-9_]*)`\s*\|/;
const ANCHOR_LINK = /\]\(#([^)]+)\)/g;

/**
 * GitHub's heading anchor: lower case, punctuation dropped (letters of any script, digits, `-` and `_` stay),
 * spaces as `-`.
 */
export function githubAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The parts of a README that a translation must keep.
 *
 * @example
 * readmeOutline('## Quick start\n\n```sh\nnpm start\n```\n').headings; // ['## Quick start']
 */
export function readmeOutline(text: string): ReadmeOutline {
  const headings: string[] = [];
  const variables: string[] = [];
  const codeBlocks: string[] = [];
  const anchorLinks: string[] = [];
  const anchors = new Set<string>();
  let block: string[] | undefined;
  for (const line of text.split('\n')) {
    if (block !== undefined) {
      block.push(line);
      if (FENCE.test(line)) {
        codeBlocks.push(block.join('\n'));
        block = undefined;
      }
      continue;
    }
    if (FENCE.test(line)) {
      block = [line];
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading !== null) {
      headings.push(line);
      anchors.add(githubAnchor(heading[2] as string));
    }
    const variable = VARIABLE_ROW.exec(line);
    if (variable !== null) variables.push(variable[1] as string);
    for (const link of line.matchAll(ANCHOR_LINK)) anchorLinks.push(link[1] as string);
  }
  return { headings, variables, codeBlocks, anchorLinks, anchors };
}

/**
 * Where a translation (`other`) has drifted from the original: one sentence per problem, none when in step.
 * Headings are matched by position and level (their text is translated), variables and code blocks exactly.
 *
 * @example
 * readmeDrift(readFileSync('README.md', 'utf8'), readFileSync('README.zh-CN.md', 'utf8')); // []
 */
export function readmeDrift(original: string, other: string): string[] {
  const a = readmeOutline(original);
  const b = readmeOutline(other);
  const problems: string[] = [];
  const levels = (outline: ReadmeOutline) => outline.headings.map((heading) => heading.split(' ')[0]);
  if (levels(a).join(' ') !== levels(b).join(' ')) {
    const count = Math.max(a.headings.length, b.headings.length);
    for (let index = 0; index < count; index += 1) {
      if (levels(a)[index] !== levels(b)[index]) {
        problems.push(
          `headings differ from position ${index + 1}: "${a.headings[index] ?? '(none)'}" against "${b.headings[index] ?? '(none)'}" (${a.headings.length} against ${b.headings.length} headings)`,
        );
        break;
      }
    }
  }
  const missing = (from: readonly string[], inside: readonly string[]) =>
    from.filter((name) => !inside.includes(name));
  for (const name of missing(a.variables, b.variables))
    problems.push(`variable ${name} missing in translation`);
  for (const name of missing(b.variables, a.variables)) problems.push(`variable ${name} missing in original`);
  if (a.variables.join() !== b.variables.join() && problems.length === 0) {
    problems.push('the configuration variables are in a different order');
  }
  if (a.codeBlocks.length !== b.codeBlocks.length) {
    problems.push(`${a.codeBlocks.length} code blocks against ${b.codeBlocks.length}`);
  } else {
    a.codeBlocks.forEach((block, index) => {
      if (block !== b.codeBlocks[index]) problems.push(`code block ${index + 1} differs:\n${block}`);
    });
  }
  for (const [name, outline] of [
    ['original', a],
    ['translation', b],
  ] as const) {
    for (const link of outline.anchorLinks) {
      if (!outline.anchors.has(decodeURIComponent(link)))
        problems.push(`${name}: link to #${link} has no heading`);
    }
  }
  return problems;
}
