/**
 * Channel secrets at rest: the webhook signing secret and the SMTP password are sealed like
 * provider credentials (AES-256-GCM under the master key, src/keys/master-key.ts), bound to their
 * channel and field by the associated data, so the stored row never holds them in clear and a
 * sealed value cannot be moved to another channel. Rows written before sealing existed hold them
 * in clear; `openChannel` still reads those, and the repository re-seals them at start.
 */
import type { SecretBox } from '../../keys/master-key.js';
import type { ChannelConfig } from './channel-config.js';

export type StoredChannel = ChannelConfig & { id: string; secret_sealed?: string; smtp_password_sealed?: string; token_sealed?: string };

const aad = (id: string, field: string): string => `alert-channel:${id}:${field}`;

/** True when the row still holds a secret in clear. */
export function hasClearSecret(c: StoredChannel): boolean {
  return (c.type === 'webhook' && c.secret !== undefined) || (c.type === 'email' && c.smtp.password !== undefined) || (c.type === 'slack' && c.token !== undefined);
}

export function sealChannel(c: ChannelConfig & { id: string }, box: SecretBox): StoredChannel {
  if (c.type === 'webhook' && c.secret !== undefined) {
    const { secret, ...rest } = c;
    return { ...rest, secret_sealed: box.seal(secret, aad(c.id, 'secret')) };
  }
  if (c.type === 'slack' && c.token !== undefined) {
    const { token, ...rest } = c;
    return { ...rest, token_sealed: box.seal(token, aad(c.id, 'token')) };
  }
  if (c.type === 'email' && c.smtp.password !== undefined) {
    const { password, ...smtp } = c.smtp;
    return { ...c, smtp, smtp_password_sealed: box.seal(password, aad(c.id, 'smtp.password')) };
  }
  return c;
}

export function openChannel(stored: StoredChannel, box: SecretBox | undefined): ChannelConfig & { id: string } {
  const { secret_sealed: sealedSecret, smtp_password_sealed: sealedPassword, token_sealed: sealedToken, ...c } = stored;
  if (!box && (sealedSecret || sealedPassword || sealedToken)) throw new Error(`alert channel ${c.id}: its secret is sealed and no master key is loaded`);
  if (box && sealedSecret && c.type === 'webhook') return { ...c, secret: box.open(sealedSecret, aad(c.id, 'secret')) };
  if (box && sealedToken && c.type === 'slack') return { ...c, token: box.open(sealedToken, aad(c.id, 'token')) };
  if (box && sealedPassword && c.type === 'email') return { ...c, smtp: { ...c.smtp, password: box.open(sealedPassword, aad(c.id, 'smtp.password')) } };
  return c;
}
