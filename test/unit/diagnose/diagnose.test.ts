import { describe, expect, it } from 'vitest';
import { ProbeTimeoutError } from '../../../src/errors.js';
import { blockedDiagnosis, diagnose } from '../../../src/diagnose/diagnose-service.js';
import { ProbeGaveUpError } from '../../../src/probes/errors.js';
import { ImageBuildError, ImageNotFoundError, NotOwnedError, PortInUseError, StaleContainerError, isStaleStartError } from '../../../src/runtime/errors.js';
import type { ContainerInfo } from '../../../src/runtime/runtime.js';
import { Redactor } from '../../../src/secrets.js';
import * as x from './excerpts.js';

function container(overrides: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: 'abc',
    name: 'pyairtable-svc',
    stack: 'pyairtable',
    service: 'svc',
    configHash: 'h',
    image: 'img',
    status: 'exited',
    exitCode: 1,
    oomKilled: false,
    restartCount: 0,
    ports: [],
    labels: {},
    ...overrides,
  };
}

describe('diagnose', () => {
  it('a container that exited on a missing module: state, last lines, module-not-found', () => {
    const diagnosis = diagnose({ service: 'airtable-gateway', container: container(), logs: `${x.NO_COMMON_RUN}\n` });
    expect(diagnosis).toEqual({
      service: 'airtable-gateway',
      state: 'failed',
      container: { status: 'exited', exitCode: 1, oomKilled: false, restartCount: 0 },
      lastLogLines: x.NO_COMMON_RUN.split('\n'),
      rootCause: expect.objectContaining({ code: 'module-not-found', summary: "No module named 'config'" }),
    });
  });

  it('a build that failed on an editable path: editable-outside-context from the build output', () => {
    const error = new ImageBuildError(
      'image build for service "mcp-server" failed at Step 6/8 : RUN pip install -r requirements.txt: The command ... returned a non-zero code: 1',
      'Step 6/8 : RUN pip install -r requirements.txt',
      x.EDITABLE_BUILD.split('\n'),
      { service: 'mcp-server' },
    );
    const diagnosis = diagnose({ service: 'mcp-server', error });
    expect(diagnosis.rootCause.code).toBe('editable-outside-context');
    expect(diagnosis.container).toBeUndefined();
  });

  it('a build that failed otherwise: build-failed with the failing step and the last line', () => {
    const error = new ImageBuildError('image build for service "x" failed at Step 3/8 : RUN make', 'Step 3/8 : RUN make', ['make: *** [all] Error 1', 'mystery'], {});
    expect(diagnose({ service: 'x', error }).rootCause).toEqual({
      code: 'build-failed',
      summary: 'image build failed at Step 3/8 : RUN make',
      hint: 'fix the Dockerfile or the build context',
      evidence: 'mystery',
    });
  });

  it('engine errors that say it all: image not found, port in use, name clash', () => {
    const missing = new ImageNotFoundError('image a:b not found locally and no registry reachable: build it (build:) or load it (docker load)', 'a:b', true);
    expect(diagnose({ service: 'a', error: missing }).rootCause).toMatchObject({ code: 'image-not-found', summary: missing.message });
    const port = new PortInUseError(`cannot start "p-postgres": host port 5432 is already in use (${x.PORT_TAKEN_BY_PROCESS})`, 5432, { hint: 'free it' });
    expect(diagnose({ service: 'postgres', error: port }).rootCause).toMatchObject({ code: 'address-in-use', summary: 'host port 5432 is already in use', hint: 'free it' });
    const clash = new NotOwnedError('refusing to use container "p-a" …', 'container', 'p-a', undefined, { hint: 'docker rm -f p-a' });
    expect(diagnose({ service: 'a', error: clash }).rootCause).toMatchObject({ code: 'not-owned', hint: 'docker rm -f p-a' });
  });

  it('OOM-killed wins over whatever the logs say', () => {
    const diagnosis = diagnose({ service: 'w', container: container({ exitCode: 137, oomKilled: true }), logs: [x.PSYCOPG2_REFUSED] });
    expect(diagnosis.rootCause).toMatchObject({ code: 'oom-killed', summary: 'killed for lack of memory (OOM, exit code 137)' });
    expect(diagnosis.container).toEqual({ status: 'exited', exitCode: 137, oomKilled: true, restartCount: 0 });
  });

  it('an exit nothing explains: exited with the code, the signal and the restarts', () => {
    expect(diagnose({ service: 'w', container: container({ exitCode: 3, restartCount: 2 }), logs: 'bye' }).rootCause).toEqual({
      code: 'exited',
      summary: 'exited with code 3 after 2 restarts',
      hint: 'the last log lines say why it stopped; run it by hand with `stackctl logs` to see more',
      evidence: 'bye',
    });
    expect(diagnose({ service: 'w', container: container({ exitCode: 137 }) }).rootCause.summary).toBe('exited with code 137 (SIGKILL)');
  });

  it('a running service whose probe timed out: the probe error is classified (NOAUTH → redis-auth)', () => {
    const error = new ProbeTimeoutError('platform-services not ready after 20s (25 attempts of …): …', 25, 'GET http://127.0.0.1:49200/ready answered 503 (expected 200): {"status":"not_ready","checks":{"postgres":"ok","redis":"AuthenticationError: Authentication required."}}');
    const diagnosis = diagnose({ service: 'platform-services', container: container({ status: 'running', exitCode: undefined }), error, logs: [] });
    expect(diagnosis.rootCause.code).toBe('redis-auth');
    expect(diagnosis.probe).toEqual({ attempts: 25, lastError: error.lastError });
    expect(diagnosis.container).toEqual({ status: 'running', oomKilled: false, restartCount: 0 });
  });

  it('a probe timeout nothing explains: probe-timeout with the attempts and the last error', () => {
    const error = new ProbeTimeoutError('api not ready after 60s (70 attempts of …): …', 70, 'GET http://127.0.0.1:1/ready answered 503 (expected 200): warming up');
    expect(diagnose({ service: 'api', container: container({ status: 'running', exitCode: undefined }), error }).rootCause).toMatchObject({
      code: 'probe-timeout',
      summary: 'not ready after 60s (70 probe attempts): GET http://127.0.0.1:1/ready answered 503 (expected 200): warming up',
    });
  });

  it('a probe that gave up because the container exited: the state comes from the error', () => {
    const state = container({ exitCode: 1 });
    const error = new ProbeGaveUpError('x: gave up waiting after 4 attempts: the container exited with code 1', 4, 'tcp …: connection refused', 'exited', state);
    const diagnosis = diagnose({ service: 'x', error, logs: x.CONFIG_MISSING });
    expect(diagnosis.container?.exitCode).toBe(1);
    expect(diagnosis.probe).toEqual({ attempts: 4, lastError: 'tcp …: connection refused' });
    expect(diagnosis.rootCause.code).toBe('missing-env');
  });

  it('redacts secrets in log lines, evidence and the probe error', () => {
    const redactor = new Redactor(['s3cr3t-pass']);
    const diagnosis = diagnose({
      service: 'p',
      container: container(),
      logs: ['connecting with postgresql://app:s3cr3t-pass@postgres:5432/db', 'FATAL:  password authentication failed for user "app" (s3cr3t-pass)'],
      probe: { attempts: 2, lastError: 'auth s3cr3t-pass failed' },
      redactor,
    });
    expect(JSON.stringify(diagnosis)).not.toContain('s3cr3t-pass');
    expect(diagnosis.lastLogLines[0]).toBe('connecting with postgresql://app:***@postgres:5432/db');
    expect(diagnosis.rootCause.evidence).toBe('FATAL:  password authentication failed for user "app" (***)');
    expect(diagnosis.probe?.lastError).toBe('auth *** failed');
  });

  it('keeps the last tailLines lines', () => {
    const logs = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    expect(diagnose({ service: 'a', logs, tailLines: 3 }).lastLogLines).toEqual(['line 47', 'line 48', 'line 49']);
  });
});

describe('blockedDiagnosis', () => {
  it('names the dependency and, when known, what it failed on', () => {
    const root = diagnose({ service: 'redis', container: container(), logs: x.REDIS_IMAGE_EMPTY });
    expect(blockedDiagnosis('platform-services', 'redis', root)).toEqual({
      service: 'platform-services',
      state: 'blocked',
      blockedBy: 'redis',
      lastLogLines: [],
      rootCause: {
        code: 'blocked',
        summary: 'blocked by redis: REDIS_PASSWORD is empty, so the container refuses to start',
        hint: 'fix redis first; platform-services starts once its dependencies are ready',
      },
    });
    expect(blockedDiagnosis('api-gateway', 'platform-services', root).rootCause.summary).toBe(
      'blocked by platform-services, which is blocked by redis: REDIS_PASSWORD is empty, so the container refuses to start',
    );
  });
});

describe("diagnose: the engine's own start errors", () => {
  const shutdownLogs = ['1:signal-handler Received SIGTERM scheduling shutdown...', '1:M # Redis is now ready to exit, bye bye...'];

  it('exit 128 with the engine\'s start error: the error is the cause, not the logs of the run before', () => {
    const state = container({ exitCode: 128, startError: 'endpoint with name pyairtable-redis already exists in network pyairtable_default' });
    const diagnosis = diagnose({ service: 'redis', container: state, logs: shutdownLogs });
    expect(diagnosis.rootCause).toEqual({
      code: 'engine-start-error',
      summary: 'the engine could not start it (exit code 128): endpoint with name pyairtable-redis already exists in network pyairtable_default',
      hint: 'leftover engine state (after an engine restart or crash): `stackctl up` recreates the container, keeping its volumes',
      evidence: 'endpoint with name pyairtable-redis already exists in network pyairtable_default',
    });
  });

  it('a start refused on stale state (the error up raised): engine-start-error with the engine\'s words', () => {
    const error = new StaleContainerError('the engine cannot start "pyairtable-redis": task 20e4384ae8ce: already exists', 'task 20e4384ae8ce11df: already exists', { hint: 'recreate it' });
    expect(diagnose({ service: 'redis', error, logs: shutdownLogs }).rootCause).toMatchObject({ code: 'engine-start-error', evidence: 'task 20e4384ae8ce11df: already exists', hint: 'recreate it' });
  });

  it('another start error of the engine is still named, with a hint that is not about stale state', () => {
    const state = container({ exitCode: 127, startError: 'OCI runtime create failed: exec: "nope": executable file not found in $PATH' });
    const cause = diagnose({ service: 'x', container: state }).rootCause;
    expect(cause.code).toBe('engine-start-error');
    expect(cause.hint).toMatch(/refused to start/);
  });

  it('recognises the stale-state errors seen after engine restarts, and nothing else', () => {
    expect(isStaleStartError('endpoint with name efdev-redis already exists in network efdev_default')).toBe(true);
    expect(isStaleStartError('task 20e4384ae8ce11df53a557c0e0b41fd72c10ab8d8d60a2232f466437f783c685: already exists')).toBe(true);
    expect(isStaleStartError('failed to update store for object type *libnetwork.endpoint: open : no such file or directory')).toBe(true);
    expect(isStaleStartError('network 5b4f1d2c3a9e8f7d6c5b4a39 not found')).toBe(true);
    expect(isStaleStartError('driver failed programming external connectivity: Bind for 127.0.0.1:8000 failed: port is already allocated')).toBe(false);
    expect(isStaleStartError('OCI runtime create failed: exec: "nope": executable file not found in $PATH')).toBe(false);
  });
});
