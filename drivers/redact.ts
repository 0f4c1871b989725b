/**
 * Redaction happens where a command is built, not in reporters: a driver marks an argument
 * sensitive, and the transcript stores the display form (`AUTH PLAIN ***`) only.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value; only a driver building wire bytes calls this. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export const REDACTED = '***';

export function secret(value: string): Secret {
  return new Secret(value);
}

/** A command line as parts; `Secret` parts go to the wire but not to the transcript. */
export type CommandPart = string | Secret;

export interface BuiltCommand {
  /** Exactly what goes on the wire (no line terminator added here). */
  readonly wire: string;
  /** What the transcript records. */
  readonly display: string;
  readonly sensitive: boolean;
}

export function buildCommand(parts: readonly CommandPart[], separator = ' '): BuiltCommand {
  let wire = '';
  let display = '';
  let sensitive = false;
  parts.forEach((part, i) => {
    const sep = i === 0 ? '' : separator;
    if (part instanceof Secret) {
      sensitive = true;
      wire += sep + part.reveal();
      display += sep + REDACTED;
    } else {
      wire += sep + part;
      display += sep + part;
    }
  });
  return { wire, display, sensitive };
}
