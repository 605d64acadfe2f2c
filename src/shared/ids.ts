/**
 * How engine ids are spelled: a prefix per kind of thing and a number per prefix
 * (`m12`, `c345`, `s1`, `p2`, `probe3`). One place, so kinds never share a prefix.
 */
export const ID_PREFIXES = {
  medium: 'm',
  call: 'c',
  server: 's',
  proxy: 'p',
  probe: 'probe',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
