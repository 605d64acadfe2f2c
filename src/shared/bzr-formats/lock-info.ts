/**
 * A LockDir's `held/info` file (breezy/lockdir.py `LockHeldInfo`): the holder's details as
 * PyYAML's `yaml.dump` of a dict writes them — keys sorted, one `key: value` line each:
 *   hostname: vm
 *   nonce: joyys5fv2t5c8hk71s1f
 *   pid: 25069
 *   start_time: 1796180754
 *   user: T <t@e.invalid>
 * The nonce is the lock's token. Breezy reads the file back with `yaml.safe_load`.
 */

export interface LockHolder {
  hostname: string;
  nonce: string;
  pid: number;
  start_time: number;
  user: string;
}

/** A token as `osutils.rand_chars` makes them (20 of [0-9a-z]); ours start with a letter so YAML keeps it a string. */
export function newLockNonce(randomBytes: Uint8Array): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes.subarray(0, 20)].map((b, i) => (i === 0 ? alphabet[10 + (b % 26)] : alphabet[b % 36])).join('');
}

/** Words PyYAML would read back as something other than a string. */
const YAML_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|)$/;

/** A scalar as yaml.dump writes it: plain when safe, else single-quoted. */
function yamlScalar(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const plainSafe = /^[A-Za-z_][^:#'"\n]*$/.test(value) && !/\s$/.test(value) && !YAML_SPECIAL.test(value);
  return plainSafe ? value : `'${value.replace(/'/g, "''")}'`;
}

export function formatLockInfo(holder: LockHolder): string {
  const keys = ['hostname', 'nonce', 'pid', 'start_time', 'user'] as const;
  return keys.map((k) => `${k}: ${yamlScalar(holder[k])}\n`).join('');
}

/** The fields of a held/info file (the flat `key: value` YAML Breezy writes); {} when empty. */
export function parseLockInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+): ?(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1).replace(/''/g, "'");
    else if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = JSON.parse(value) as string;
    fields[m[1]] = value;
  }
  return fields;
}
