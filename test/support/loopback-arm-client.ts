import { SqlManagementClient } from '@azure/arm-sql';
import type { TokenCredential } from '@azure/identity';
import { ARM_ORIGIN, FakeArm } from './fake-arm';

// @azure/core-rest-pipeline comes with @azure/arm-sql (its transport); only its default HTTP client is used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createDefaultHttpClient } = require('@azure/core-rest-pipeline') as {
  createDefaultHttpClient(): { sendRequest(request: { url: string; allowInsecureConnection?: boolean }): Promise<unknown> };
};

/** MOCK credential: a fixed token, so the SDK's bearer-token policy runs without Entra ID. */
export const fakeCredential: TokenCredential = {
  async getToken() {
    return { token: 'loopback-test-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/**
 * The real SqlManagementClient with its real pipeline (serialization, bearer token, LRO
 * polling), whose transport delivers requests for ARM_ORIGIN to the loopback server instead.
 * The SDK refuses bearer tokens over plain HTTP, so requests keep their https:// address up
 * to the transport, which alone knows the loopback port; anything else is refused, so a test
 * can never reach a real endpoint.
 */
export function loopbackManagementClient(arm: FakeArm): (subscriptionId: string) => SqlManagementClient {
  const inner = createDefaultHttpClient();
  const httpClient = {
    async sendRequest(request: { url: string; allowInsecureConnection?: boolean }) {
      const url = new URL(request.url);
      if (url.origin !== ARM_ORIGIN) throw new Error(`The loopback transport refuses ${url.origin}: tests only talk to the fake ARM server`);
      const original = request.url;
      request.url = `http://127.0.0.1:${arm.port}${url.pathname}${url.search}`;
      request.allowInsecureConnection = true;
      try {
        return await inner.sendRequest(request);
      } finally {
        request.url = original;
      }
    },
  };
  return (subscriptionId) =>
    new SqlManagementClient(fakeCredential, subscriptionId, {
      $host: ARM_ORIGIN,
      endpoint: ARM_ORIGIN,
      credentialScopes: [`${ARM_ORIGIN}/.default`],
      httpClient: httpClient as never,
      retryOptions: { maxRetries: 0 },
    });
}
