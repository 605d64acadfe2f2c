/** Trouble setting up the embedded SSH server: a bad key file, a bad authorized_keys. */
export class SshSetupError extends Error {
  readonly kind = 'ssh' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SshSetupError';
  }
}
