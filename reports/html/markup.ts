/**
 * Building HTML safely: the `html` tag escapes every interpolated value unless it is already
 * markup (an {@link Html}, made only by this tag or by {@link lines}). So a section cannot forget
 * to escape server text: a string is text, always.
 */
import { escapeHtml, escapeHtmlLines } from '../escape.js';

/** A piece of markup; its text is trusted HTML. */
export class Html {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What an `html` template can hold: text, numbers, markup, lists of these; nothing renders as ''. */
export type Interpolation = Html | string | number | null | undefined | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(render).join('');
}

/** Markup with every interpolation escaped for text or a quoted attribute value. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Multi-line text with its line breaks kept (for an element styled `white-space: pre-wrap`). */
export function lines(text: string): Html {
  return new Html(escapeHtmlLines(text));
}

/** Present items joined by `separator` (itself escaped). */
export function join(items: readonly Interpolation[], separator: string): Html {
  return new Html(items.map(render).filter((s) => s !== '').join(escapeHtml(separator)));
}
