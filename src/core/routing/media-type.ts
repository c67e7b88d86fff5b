/** A Content-Type as its parts: the type lowercased, parameter names lowercased, values unquoted. */
export interface MediaType {
  readonly type: string;
  readonly parameters: ReadonlyMap<string, string>;
}

const TYPE = /^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const PARAMETER =
  /^;[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(?:"((?:[^"\\\r\n]|\\[^\r\n])*)"|([!#$%&'*+\-.^_`|~0-9A-Za-z]+))[ \t]*/;

/**
 * A Content-Type value read as RFC 9110 §8.3.1 writes it, case-insensitively: `Application/JSON; Charset="UTF-8"`
 * is `application/json` with `charset=UTF-8`. Undefined when it is not that shape (two values joined by a
 * comma, a parameter twice, stray text): such a value is read differently by different servers.
 *
 * @example
 * parseMediaType('multipart/form-data; boundary=xyz')?.parameters.get('boundary'); // 'xyz'
 */
export function parseMediaType(value: string): MediaType | undefined {
  const semicolon = value.indexOf(';');
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  if (!TYPE.test(type)) return undefined;
  const parameters = new Map<string, string>();
  let rest = semicolon === -1 ? '' : value.slice(semicolon).trimEnd();
  while (rest !== '') {
    const match = PARAMETER.exec(rest);
    if (match === null) return undefined;
    const name = (match[1] as string).toLowerCase();
    if (parameters.has(name)) return undefined;
    parameters.set(name, match[2] === undefined ? (match[3] as string) : match[2].replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return { type, parameters };
}
