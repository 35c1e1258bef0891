/** Tiny DOM helpers: elements from data, never from HTML strings (quote bytes are untrusted). */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: unknown[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(8) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = h('textarea', {}, text);
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
  button.textContent = 'Copied';
  button.classList.add('copied');
  setTimeout(() => {
    button.textContent = 'Copy';
    button.classList.remove('copied');
  }, 1200);
}

export function copyButton(text: string, label = 'Copy'): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'copy', title: 'Copy to the clipboard' }, label);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    void copyText(text, b);
  });
  return b;
}

/**
 * Hex in groups of 4 bytes, wrapping on group boundaries; the copy button and
 * the `data-hex` attribute hold the plain hex. All-zero values are dimmed.
 */
export function hexView(value: Uint8Array | string, opts: { copy?: boolean } = {}): HTMLElement {
  const text = typeof value === 'string' ? value : hex(value);
  const zero = text.length > 0 && /^0+$/.test(text);
  const code = h('code', { class: `hex${zero ? ' zero' : ''}`, 'data-hex': text });
  if (text.length === 0) code.append(h('span', { class: 'muted' }, '(empty)'));
  for (let i = 0; i < text.length; i += 8) code.append(h('span', { class: 'g' }, text.slice(i, i + 8)));
  const wrap = h('span', { class: 'hexwrap' }, code);
  if (opts.copy !== false && text.length > 0) wrap.append(copyButton(text));
  if (zero && text.length > 8) code.title = `${text.length / 2} zero bytes`;
  return wrap;
}

export function section(title: string, body: Node | (Node | null)[], opts: { open?: boolean; id?: string; badge?: string } = {}): HTMLDetailsElement {
  return h(
    'details',
    { class: 'section', open: opts.open !== false, id: opts.id },
    h('summary', {}, h('span', { class: 'title' }, title), opts.badge ? h('span', { class: 'badge' }, opts.badge) : null),
    h('div', { class: 'section-body' }, body),
  );
}

export type Row = [name: string, value: Node | string | number, note?: string, spec?: string];

/** A field table: Intel's field name, the value, an optional note. */
export function fieldTable(rows: Row[], testId?: string): HTMLTableElement {
  return h(
    'table',
    { class: 'fields', 'data-testid': testId },
    h(
      'tbody',
      {},
      rows.map(([name, value, note]) =>
        h(
          'tr',
          { 'data-field': name },
          h('th', { scope: 'row' }, name),
          h('td', {}, typeof value === 'string' || typeof value === 'number' ? h('span', { class: 'val' }, String(value)) : value, note ? h('div', { class: 'note' }, note) : null),
        ),
      ),
    ),
  );
}

export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
