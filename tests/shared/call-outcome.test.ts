import { expect, test } from 'vitest';
import { callOutcome, closeSeverity, type CallOutcomeInput } from '../../src/shared/call-outcome';

const outcome = (c: Partial<CallOutcomeInput> & Pick<CallOutcomeInput, 'verb'>) => callOutcome({ status: 'S', responseArgs: [], ...c });

test('successes read as their status and first word', () => {
  expect(outcome({ verb: 'Branch.last_revision_info', responseArgs: ['ok', '5', 'rev'] })).toEqual({ result: 'S ok', severity: 'ok' });
  expect(outcome({ verb: 'BzrDir.open_2.1', responseArgs: ['yes', 'no'] })).toEqual({ result: 'S yes', severity: 'ok' });
  expect(outcome({ verb: 'hello', status: 'pending', responseArgs: null })).toEqual({ result: '…', severity: 'pending' });
});

test('brz\'s "Not a branch" (BzrDir.open → no) is a failure, unless brz created the bzrdir next', () => {
  expect(outcome({ verb: 'BzrDir.open_2.1', responseArgs: ['no'] })).toMatchObject({ result: 'S no', severity: 'fail', meaning: expect.stringMatching(/^Not a branch/) });
  expect(outcome({ verb: 'BzrDir.open_2.1', responseArgs: ['no'], expected: true })).toMatchObject({ result: 'S no', severity: 'quiet' });
  // Other verbs answering `no` are plain answers.
  expect(outcome({ verb: 'BzrDir.has_workingtree', responseArgs: ['no'] }).severity).toBe('ok');
});

test('error answers brz expects are quiet; the others are failures', () => {
  expect(outcome({ verb: 'Branch.get_stacked_on_url', status: 'E', responseArgs: ['NotStacked'] })).toMatchObject({ result: 'E NotStacked', severity: 'quiet' });
  expect(outcome({ verb: 'Repository.get_stream_1.19', status: 'E', responseArgs: ['UnknownMethod', 'Repository.get_stream_1.19'] }).severity).toBe('quiet');
  expect(outcome({ verb: 'get', status: 'E', responseArgs: ['NoSuchFile', '/x'] })).toMatchObject({ result: 'E NoSuchFile', severity: 'fail' });
  expect(outcome({ verb: 'BzrDir.open_branchV3', status: 'E', responseArgs: ['nobranch'] })).toMatchObject({ result: 'E nobranch', severity: 'fail', meaning: 'Not a branch' });
  expect(outcome({ verb: 'Branch.lock_write', status: 'E', responseArgs: ['LockContention'] }).meaning).toBe('locked by another client');
  // NotStacked from another verb is not expected.
  expect(outcome({ verb: 'Branch.get_config_file', status: 'E', responseArgs: ['NotStacked'] }).severity).toBe('fail');
});

test('a policy\'s answer, an unreachable upstream and a cut connection are named', () => {
  expect(outcome({ verb: 'mkdir', status: 'E', responseArgs: ['error', 'VFS requests over the smart server are not allowed.'], byPolicy: true })).toMatchObject({ result: 'refused by policy', severity: 'fail' });
  expect(outcome({ verb: 'BzrDir.open_2.1', status: 'E', responseArgs: ['error', 'hpss: cannot reach the upstream: host key changed'] })).toMatchObject({ result: 'upstream unreachable', severity: 'fail', meaning: expect.stringMatching(/host key changed/) });
  expect(outcome({ verb: 'get', status: null, responseArgs: [], error: { kind: 'transport', message: 'connection closed' } })).toEqual({ result: 'cut', severity: 'fail', meaning: 'connection closed' });
  expect(outcome({ verb: 'get', status: null, responseArgs: [], error: { kind: 'policy', message: 'dropped' } }).result).toBe('dropped by policy');
  expect(outcome({ verb: 'get', status: null, responseArgs: [], error: { kind: 'timeout', message: 'no answer' } }).result).toBe('timed out');
});

test('a long first word is shortened for the column', () => {
  expect(outcome({ verb: 'BzrDir.cloning_metadir', responseArgs: ['Bazaar-NG meta directory, format 1\n'] }).result).toBe('S Bazaar-NG meta director…');
});

test('close reasons: a goodbye is quiet, trouble fails', () => {
  expect(closeSeverity('client closed the connection')).toBe('quiet');
  expect(closeSeverity('server stopped')).toBe('quiet');
  expect(closeSeverity('connection closed')).toBe('quiet');
  expect(closeSeverity('policy dropped the connection after 3 calls')).toBe('fail');
  expect(closeSeverity('error: read ECONNRESET')).toBe('fail');
  expect(closeSeverity('upstream closed: host key changed')).toBe('fail');
  // An upstream gone while calls were owed an answer (the relay says so).
  expect(closeSeverity('upstream closed: end of stream in the middle of a response (1200 bytes of it received)')).toBe('fail');
  expect(closeSeverity('upstream closed: brz serve --inet ended with signal SIGKILL before answering a call')).toBe('fail');
});
