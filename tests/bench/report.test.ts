/**
 * bench/lib/report.js: the ratios and goal verdicts every benchmark row is printed with
 * (docs/performance.md is made of them).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { completeRows, formatTable } = require('../../bench/lib/report.js') as {
  completeRows: (bench: string, rows: object[]) => Array<Record<string, unknown>>;
  formatTable: (rows: object[]) => string;
};

describe('bench rows', () => {
  it('gives each row its ratios to Breezy and to the limit', () => {
    const [row] = completeRows('get', [{ name: 'get', value: 900, unit: 'MB/s', breezy: 300, limit: 1800 }]);
    expect(row.vsBreezy).toBe(3);
    expect(row.vsLimit).toBe(0.5);
    expect(row.met).toBeNull();
  });

  it('says a goal on a ratio is met, or by how much it is missed', () => {
    const goal = { of: 'breezy', min: 2, text: '≥ 2× Breezy' };
    const [met, missed] = completeRows('server', [
      { name: 'a', value: 500, unit: 'conn/s', breezy: 200, goal },
      { name: 'b', value: 100, unit: 'conn/s', breezy: 200, goal },
    ]);
    expect(met.met).toBe(true);
    expect(met.verdict).toBe('≥ 2× Breezy: met');
    expect(missed.met).toBe(false);
    expect(missed.verdict).toBe('≥ 2× Breezy: MISSED (25% of the bar)');
  });

  it('checks a ceiling on the value itself, and every goal of a row', () => {
    const [row] = completeRows('proxy', [
      { name: 'ratio', value: 1.21, unit: '×', goal: [{ of: 'value', max: 1.1, text: '≤ 1.10×' }, { of: 'value', min: 1, text: '≥ 1' }] },
    ]);
    expect(row.met).toBe(false);
    expect(row.verdict).toBe('≤ 1.10×: MISSED (10% over); ≥ 1: met');
  });

  it('prints one markdown row per figure', () => {
    const table = formatTable(completeRows('hello', [{ name: 'hello', value: 12345.6, unit: 'calls/s', breezy: 10000 }]));
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('| hello | hello | 12,346 calls/s | 10,000 | 1.23× |');
  });
});
