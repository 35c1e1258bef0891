/**
 * Extracts the runnable code blocks of the Markdown docs.
 *
 * A fenced block whose info string starts with ts / typescript / js /
 * javascript / mjs / sh / bash / shell is a snippet; every other block (json,
 * plain text, usage lines) is documentation only. The nearest non-blank line
 * before the opening fence may be a directive:
 *
 *   <!-- snippet: skip reason="why it cannot run in the suite" -->
 *   <!-- snippet: setup=NAME -->             (a named fixture, test/docs/setups.ts)
 *
 * A directive that is not followed by a snippet, an unknown key, or a skip
 * without a reason is an error (stale directives do not hide anything).
 */
import { readFileSync } from 'node:fs';

export type SnippetLang = 'ts' | 'js' | 'sh';

export interface Snippet {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: SnippetLang;
  readonly code: string;
  readonly skip?: string;
  readonly setup?: string;
}

const LANGS: Record<string, SnippetLang> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  sh: 'sh',
  bash: 'sh',
  shell: 'sh',
};

const DIRECTIVE = /^<!--\s*snippet:(.*?)-->\s*$/;
const FIELD = /\s*([a-z]+)(?:=(?:"([^"]*)"|([^\s"]+)))?/y;

export interface Directive {
  readonly skip?: string;
  readonly setup?: string;
}

/** Parses the text between `snippet:` and `-->`. Throws on anything it does not know. */
export function parseDirective(body: string, where: string): Directive {
  const out: { skip?: string; setup?: string } = {};
  let skip = false;
  FIELD.lastIndex = 0;
  const text = body.trimEnd();
  while (FIELD.lastIndex < text.length) {
    const start = FIELD.lastIndex;
    const m = FIELD.exec(text);
    if (m === null || m.index !== start || m[0] === '') throw new Error(`${where}: cannot parse snippet directive "${body.trim()}"`);
    const [, key, quoted, bare] = m;
    const value = quoted ?? bare;
    if (key === 'skip' && value === undefined) skip = true;
    else if (key === 'reason' && value !== undefined && value.trim() !== '') out.skip = value;
    else if (key === 'setup' && value !== undefined && /^[a-z0-9-]+$/.test(value)) out.setup = value;
    else throw new Error(`${where}: unknown or malformed snippet directive field "${m[0].trim()}"`);
  }
  if (skip !== (out.skip !== undefined)) throw new Error(`${where}: a skipped snippet needs skip reason="..." (and reason only goes with skip)`);
  if (skip && out.setup !== undefined) throw new Error(`${where}: skip and setup together`);
  return out;
}

/** Every snippet of one Markdown text. */
export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  let pending: { directive: Directive; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const d = DIRECTIVE.exec(raw.trim());
    if (d !== null) {
      if (pending !== undefined) throw new Error(`${file}:${pending.line}: snippet directive not followed by a code block`);
      pending = { directive: parseDirective(d[1]!, `${file}:${i + 1}`), line: i + 1 };
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(raw);
    if (fence === null) {
      if (raw.trim() !== '' && pending !== undefined) throw new Error(`${file}:${pending.line}: snippet directive not followed by a code block`);
      continue;
    }
    const marker = fence[2]!;
    const lang = LANGS[fence[3]!.toLowerCase()];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim().startsWith(marker[0]!.repeat(marker.length)) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push(l.startsWith(fence[1]!) ? l.slice(fence[1]!.length) : l);
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: unterminated code block`);
    if (lang === undefined) {
      if (pending !== undefined) throw new Error(`${file}:${pending.line}: snippet directive before a block that is not ts/js/sh`);
    } else {
      out.push({ file, line: i + 1, lang, code: body.join('\n') + '\n', ...(pending?.directive ?? {}) });
    }
    pending = undefined;
    i = j;
  }
  if (pending !== undefined) throw new Error(`${file}:${pending.line}: snippet directive not followed by a code block`);
  return out;
}

export function snippetsOfFile(root: string, file: string): Snippet[] {
  return extractSnippets(file, readFileSync(`${root}/${file}`, 'utf8'));
}
