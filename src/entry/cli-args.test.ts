import { describe, expect, it } from 'vitest';
import { parseCliArgs, USAGE } from './cli-args.js';

describe('parseCliArgs', () => {
  it('maps the options to the variables they stand for, both spellings', () => {
    expect(parseCliArgs(['--port', '9000', '--host=0.0.0.0', '--config', 'gw.json'])).toEqual({
      kind: 'run',
      env: { PORT: '9000', HOST: '0.0.0.0', GATEWAY_CONFIG_FILE: 'gw.json' },
    });
  });

  it('runs with no options', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'run', env: {} });
  });

  it('the last of a repeated option wins', () => {
    expect(parseCliArgs(['--port=1', '--port=2'])).toEqual({ kind: 'run', env: { PORT: '2' } });
  });

  it.each([['-h'], ['--help'], ['--port', '1', '--help']])('%j asks for help', (...argv) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'help' });
  });

  it.each([['-v'], ['--version']])('%s asks for the version', (arg) => {
    expect(parseCliArgs([arg])).toEqual({ kind: 'version' });
  });

  it.each([
    [['--prot', '1'], 'Unknown option: --prot (see --help).'],
    [['serve'], 'Unknown option: serve (see --help).'],
    [['--port'], '--port needs a value (see --help).'],
    [['--port='], '--port needs a value (see --help).'],
    [['--port', '--host', 'x'], '--port needs a value (see --help).'],
  ])('%j is refused: %s', (argv, message) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'error', message });
  });

  it('documents every option', () => {
    for (const option of ['--port', '--host', '--config', '--help', '--version'])
      expect(USAGE).toContain(option);
  });
});
