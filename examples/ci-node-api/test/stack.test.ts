/** This project's tests, run against the ephemeral copy global-setup.ts started. */
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';

describe('the example stack, started through the Node API', () => {
  it('runs under its own name, not the developer\'s pyairtable', () => {
    expect(inject('stackName')).toMatch(/^pyairtable-[0-9a-f]{6}$/);
  });

  it('answers through the gateway on its engine-chosen port', async () => {
    const gateway = inject('gatewayUrl');
    expect(gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway).not.toBe('http://127.0.0.1:8000');
    const health = await fetch(`${gateway}/api/health`);
    expect(health.status).toBe(200);
  });

  it('registers a user through the gateway (API key, postgres behind it)', async () => {
    const email = `example-${Date.now()}@example.test`;
    const response = await fetch(`${inject('gatewayUrl')}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-API-Key': inject('apiKey') },
      body: JSON.stringify({ email, password: 'Example-pw-123', name: 'Example' }),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { email: string }).email).toBe(email);
  });

  it('serves the frontend login page', async () => {
    const page = await fetch(`${inject('frontendUrl')}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form');
  });

  it('publishes postgres on a loopback port for direct use', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: inject('postgresPort') }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
  });
});
