/** What the command line asks for. */
export type CliCommand =
  | { readonly kind: 'run'; readonly env: Readonly<Record<string, string>> }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

/** Each option that takes a value, and the environment variable it stands for. */
const OPTIONS: Readonly<Record<string, string>> = {
  '--port': 'PORT',
  '--host': 'HOST',
  '--config': 'GATEWAY_CONFIG_FILE',
};

/** `openai-gateway --help`. */
export const USAGE = `Usage: openai-gateway [options]

An OpenAI-compatible API gateway. Every setting is an environment variable (see the README);
these options stand for the most common ones and win over them.

Options:
  --port N         port to listen on (PORT, default 8787; 0 picks a free one)
  --host ADDRESS   address to listen on (HOST, default 127.0.0.1; 0.0.0.0 for all interfaces)
  --config FILE    JSON config file (GATEWAY_CONFIG_FILE)
  -h, --help       print this help and exit
  -v, --version    print the version and exit

With no provider configured it serves a built-in demo provider; with PROXY_API_KEYS unset it prints a
client key generated for the run.`;

/**
 * Reads the command line (without node and the script): `--port N` or `--port=N`, `--host`, `--config`,
 * `--help`, `--version`. Values are checked where the variables they set are (the config schema), so
 * `--port abc` is refused as `PORT` would be.
 *
 * @example
 * parseCliArgs(['--port', '9000']); // { kind: 'run', env: { PORT: '9000' } }
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-v' || arg === '--version') return { kind: 'version' };
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const variable = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : undefined;
    if (variable === undefined) {
      return { kind: 'error', message: `Unknown option: ${arg.slice(0, 100)} (see --help).` };
    }
    const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    if (value === undefined || value === '' || (equals === -1 && value.startsWith('--'))) {
      return { kind: 'error', message: `${name} needs a value (see --help).` };
    }
    env[variable] = value;
  }
  return { kind: 'run', env };
}
