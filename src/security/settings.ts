/**
 * @module The security knobs an operator turns, read from the environment with clear refusals:
 * who may sign up, token lifetimes, rate limits, and whether a proxy's forwarding headers count.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { SignupPolicy } from './identity/accounts.ts';

export interface RateLimit {
  /** Requests per window per caller; 0 turns the limit off. */
  readonly max: number;
  readonly windowMs: number;
}

export interface SecuritySettings {
  readonly signup: SignupPolicy;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlMs: number;
  /** Per user or API key (per address before sign-in) on the API. */
  readonly apiRateLimit: RateLimit;
  /** Per address on webhooks. */
  readonly webhookRateLimit: RateLimit;
  /** Per address on sign-up, sign-in and refresh. */
  readonly authRateLimit: RateLimit;
  /** Trust X-Forwarded-For from this many proxies in front (0: never, the default). */
  readonly trustedProxies: number;
}

const MINUTE = 60_000;

export const DEFAULT_SECURITY: SecuritySettings = {
  signup: 'first-only',
  accessTokenTtlSeconds: 900,
  refreshTokenTtlMs: 14 * 86_400_000,
  apiRateLimit: { max: 1200, windowMs: MINUTE },
  webhookRateLimit: { max: 6000, windowMs: MINUTE },
  authRateLimit: { max: 30, windowMs: MINUTE },
  trustedProxies: 0,
};

export function securitySettingsFromEnv(env: Readonly<Record<string, string | undefined>>): SecuritySettings {
  const signup = env.SWITCHYARD_SIGNUP?.trim() || DEFAULT_SECURITY.signup;
  if (signup !== 'first-only' && signup !== 'open' && signup !== 'closed') {
    throw invalid('SWITCHYARD_SIGNUP', signup, 'one of first-only, open, closed');
  }
  const perMinute = (name: string, fallback: RateLimit): RateLimit => {
    const max = count(env, name, fallback.max, 0, 1_000_000);
    return { max, windowMs: MINUTE };
  };
  return {
    signup,
    accessTokenTtlSeconds: count(
      env,
      'SWITCHYARD_ACCESS_TOKEN_TTL_SECONDS',
      DEFAULT_SECURITY.accessTokenTtlSeconds,
      30,
      86_400,
    ),
    refreshTokenTtlMs: count(env, 'SWITCHYARD_REFRESH_TOKEN_TTL_DAYS', 14, 1, 365) * 86_400_000,
    apiRateLimit: perMinute('SWITCHYARD_RATE_LIMIT_API', DEFAULT_SECURITY.apiRateLimit),
    webhookRateLimit: perMinute('SWITCHYARD_RATE_LIMIT_WEBHOOK', DEFAULT_SECURITY.webhookRateLimit),
    authRateLimit: perMinute('SWITCHYARD_RATE_LIMIT_AUTH', DEFAULT_SECURITY.authRateLimit),
    trustedProxies: count(env, 'SWITCHYARD_TRUSTED_PROXIES', 0, 0, 10),
  };
}

function count(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw invalid(name, text, `a whole number from ${min} to ${max}`);
  }
  return value;
}

function invalid(name: string, value: string, expected: string): SwitchyardError {
  return new SwitchyardError('SY_CONFIG_INVALID', `${name}="${value}" is not ${expected}`, {
    hint: `Set ${name} to ${expected}, or unset it for the default.`,
  });
}
