/**
 * Telltale command line. `bin/telltale.js` checks the Node version and calls runCli;
 * `npm run cli` runs this file directly. Commands live in a table so later ones
 * (serve, report, …) are one entry each.
 */
import { analyzeCommand } from './commands/analyze.ts';
import { reportCommand } from './commands/report.ts';
import { serveCommand } from './commands/serve.ts';
import { EXIT_OK, EXIT_USAGE, message, UsageError, type CliCommand, type CliIo } from './io.ts';
import { toolString } from '../engine/store/tool-info.ts';

const COMMANDS: readonly CliCommand[] = [analyzeCommand, serveCommand, reportCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Telltale: forensic viewer for network captures (${toolString()})

Usage: telltale <command> [options]
       telltale <command> --help
       telltale --help | --version

Commands:
${list}`;
}

/** Run the CLI with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`${mainHelp()}\n`);
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const cmd = rest[0] !== undefined ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (rest[0] !== undefined && !cmd) {
      io.stderr.write(`telltale: unknown command '${rest[0]}'\n`);
      return EXIT_USAGE;
    }
    io.stdout.write(`${cmd ? cmd.help : mainHelp()}\n`);
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout.write(`${toolString()}\n`);
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    io.stderr.write(`telltale: unknown ${first.startsWith('-') ? 'option' : 'command'} '${first}'\nRun 'telltale --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`telltale ${cmd.name}: ${e.message}\nRun 'telltale ${cmd.name} --help' for usage.\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`telltale ${cmd.name}: ${message(e)}\n`);
    return EXIT_USAGE;
  }
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2));
}
