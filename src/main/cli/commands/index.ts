import { callLinesHook } from '../call-lines';
import { breezyFlagsHook } from '../hooks/breezy-flags';
import { exposureWarningHook } from '../hooks/exposure-warning';
import { sshHook } from '../hooks/ssh-options';
import { traceHook } from '../hooks/trace-option';
import { callCommand } from './call';
import { probeCommand } from './probe';
import type { CliCommand } from './command';
import { decodeCommand } from './decode';
import { exportCommand } from './export';
import { importCommand } from './import';
import { proxyCommand } from './proxy';
import { ownerHooks } from '../owner-command';
import { serveCommand } from './serve';
import { traceCommand } from './trace';
import { uiCommand } from './ui';

/** Every subcommand, in the order `hpss --help` lists them. */
export const COMMANDS: CliCommand[] = [uiCommand, serveCommand, proxyCommand, traceCommand, importCommand, exportCommand, decodeCommand, callCommand, probeCommand];

// Options of serve/proxy from other features; breezy flags first (`--inet` takes the run over,
// and `--port`/bare-host `--listen` become the address the exposure warning checks).
ownerHooks.push(breezyFlagsHook, exposureWarningHook, traceHook, sshHook, callLinesHook);
