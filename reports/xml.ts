/** Building XML elements as strings, every attribute and text node escaped (escape.ts). */
import { escapeXmlAttr, escapeXmlText } from './escape.js';

/** Attribute name → value, written in this order. */
export type Attributes = Readonly<Record<string, string | number>>;

/** ` name="value"` pairs in the given order. */
export function attrs(values: Attributes): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXmlAttr(String(value))}"`)
    .join('');
}

/** `<name …/>` or `<name …>text</name>`; `text` is escaped here. */
export function element(name: string, values: Attributes, text?: string): string {
  if (text === undefined || text === '') return `<${name}${attrs(values)}/>`;
  return `<${name}${attrs(values)}>${escapeXmlText(text)}</${name}>`;
}

/** `<properties>` with one `<property>` per entry, or nothing when there are none. */
export function properties(values: Readonly<Record<string, string>>, indent: string): string[] {
  const entries = Object.entries(values);
  if (entries.length === 0) return [];
  return [
    `${indent}<properties>`,
    ...entries.map(([name, value]) => `${indent}  ${element('property', { name, value })}`),
    `${indent}</properties>`,
  ];
}

/** `<name>text</name>` as a one-line list, or an empty list when there is no text to carry. */
export function optionalText(name: string, text: string): string[] {
  return text === '' ? [] : [element(name, {}, text)];
}
