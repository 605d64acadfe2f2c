import { breezyFlagsHook } from '../hooks/breezy-flags';
import { sshHook } from '../hooks/ssh-options';
import { traceHook } from '../hooks/trace-option';
import type { CliCommand } from './command';
import { decodeCommand } from './decode';
import { proxyCommand } from './proxy';
import { ownerHooks, serveCommand } from './serve';
import { traceCommand } from './trace';
import { uiCommand } from './ui';

/** Every subcommand, in the order `hpss --help` lists them. */
export const COMMANDS: CliCommand[] = [uiCommand, serveCommand, proxyCommand, traceCommand, decodeCommand];

// Options of serve/proxy from other features; breezy flags first (`--inet` takes the run over).
ownerHooks.push(breezyFlagsHook, traceHook, sshHook);
