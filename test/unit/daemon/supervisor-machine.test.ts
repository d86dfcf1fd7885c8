import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../../src/config/model.js';
import { supervisionOptions, backoffDelay } from '../../../src/daemon/policy.js';
import {
  SupervisorMachine,
  type ContainerSnapshot,
  type SupervisedService,
  type SupervisorCommand,
  type SupervisorEvent,
  type SupervisorInput,
} from '../../../src/daemon/supervisor-machine.js';

const options = supervisionOptions({
  probeIntervalMs: 5_000,
  unreadyProbeIntervalMs: 1_000,
  failureThreshold: 3,
  backoffInitialMs: 250,
  backoffFactor: 2,
  backoffMaxMs: 8_000,
  stableAfterMs: 30_000,
  recoveryWindowMs: 10_000,
  recoveryProbeIntervalMs: 500,
  failAfter: 4,
});

function svc(name: string, deps: string[] = [], restart: RestartPolicy = { name: 'on-failure' }, restartDependents = true): SupervisedService {
  return { name, dependsOn: deps.map((service) => ({ service, condition: 'ready' as const })), restart, restartDependents };
}

function running(id: string, startedAt: number, restartCount = 0): ContainerSnapshot {
  return { id, status: 'running', startedAt, finishedAt: undefined, oomKilled: false, restartCount };
}

function exited(prev: ContainerSnapshot, finishedAt: number, exitCode: number, restartCount = prev.restartCount): ContainerSnapshot {
  return { ...prev, status: 'exited', finishedAt, exitCode, restartCount };
}

/** Drives the machine the way the supervisor does, recording everything it says. */
class Sim {
  readonly machine: SupervisorMachine;
  now = 1_000;
  commands: SupervisorCommand[] = [];
  events: SupervisorEvent[] = [];
  containers = new Map<string, ContainerSnapshot>();

  constructor(readonly specs: SupervisedService[]) {
    this.machine = new SupervisorMachine(specs, options, this.now);
  }

  feed(input: SupervisorInput): SupervisorCommand[] {
    const step = this.machine.handle(input);
    this.commands.push(...step.commands);
    this.events.push(...step.events);
    return step.commands;
  }

  /** Everything up and ready, as after a successful `up`. */
  allReady(): void {
    this.feed({
      type: 'init',
      at: this.now,
      services: this.specs.map((s) => {
        const c = running(`${s.name}-1`, this.now);
        this.containers.set(s.name, c);
        return { service: s.name, container: c, outcome: 'ready' as const };
      }),
    });
  }

  /** Advance the clock, ticking at every wake-up on the way (as the driver's timer does). */
  advance(ms: number): SupervisorCommand[] {
    const end = this.now + ms;
    const out: SupervisorCommand[] = [];
    for (;;) {
      const wake = this.machine.nextWakeAt();
      if (wake === undefined || wake > end) break;
      this.now = Math.max(this.now, wake);
      out.push(...this.feed({ type: 'tick', at: this.now }));
    }
    this.now = end;
    out.push(...this.feed({ type: 'tick', at: this.now }));
    return out;
  }

  kill(service: string, exitCode = 137): SupervisorCommand[] {
    const c = exited(this.containers.get(service) as ContainerSnapshot, this.now, exitCode);
    this.containers.set(service, c);
    return this.feed({ type: 'observed', at: this.now, service, container: c });
  }

  /** Carry out a restart command: the container comes up again (same id, new start time). */
  restarted(service: string): SupervisorCommand[] {
    const prev = this.containers.get(service);
    const c = running(prev?.id ?? `${service}-1`, this.now, prev?.restartCount ?? 0);
    this.containers.set(service, c);
    return this.feed({ type: 'restart.done', at: this.now, service, ok: true, container: c });
  }

  probe(service: string, ok: boolean, error = 'connection refused'): SupervisorCommand[] {
    const cmd = [...this.commands].reverse().find((c) => c.type === 'probe' && c.service === service);
    if (!cmd || cmd.type !== 'probe') throw new Error(`no probe command for ${service}`);
    return this.feed({ type: 'probe.result', at: this.now, service, epoch: cmd.epoch, ok, error: ok ? undefined : error });
  }

  state(service: string): string {
    return this.machine.view(service)?.state ?? 'none';
  }

  of(type: SupervisorCommand['type'], service: string, list = this.commands): SupervisorCommand[] {
    return list.filter((c) => c.type === type && c.service === service);
  }
}

describe('policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('names the option that is wrong', () => {
    expect(() => supervisionOptions({ failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => supervisionOptions({ probeIntervalMs: -1 })).toThrow(/probeIntervalMs/);
  });
});

describe('SupervisorMachine', () => {
  it('decides nothing before the initial picture (suspended)', () => {
    const sim = new Sim([svc('redis')]);
    expect(sim.feed({ type: 'observed', at: sim.now, service: 'redis', container: undefined })).toEqual([]);
    expect(sim.machine.nextWakeAt()).toBeUndefined();
  });

  it('restarts a killed redis after the first backoff, then re-probes its ready-dependents at once', () => {
    const sim = new Sim([svc('redis'), svc('platform', ['redis']), svc('saga', ['platform'])]);
    sim.allReady();
    expect(sim.state('platform')).toBe('ready');

    expect(sim.kill('redis')).toEqual([]);
    expect(sim.state('redis')).toBe('backoff');
    expect(sim.state('platform')).toBe('degraded');
    expect(sim.machine.view('platform')?.degradedBy).toEqual(['redis']);
    expect(sim.machine.view('saga')?.degradedBy).toEqual(['redis']);
    expect(sim.events).toContainEqual(expect.objectContaining({ type: 'service.restart-scheduled', service: 'redis', attempt: 1, delayMs: 250 }));

    // Nothing before the backoff elapses.
    expect(sim.of('restart', 'redis', sim.advance(249))).toEqual([]);
    const restart = sim.of('restart', 'redis', sim.advance(1));
    expect(restart).toEqual([expect.objectContaining({ type: 'restart', service: 'redis', attempt: 1 })]);
    expect(sim.state('redis')).toBe('restarting');

    const afterStart = sim.restarted('redis');
    expect(afterStart).toEqual([expect.objectContaining({ type: 'probe', service: 'redis', mode: 'until-ready' })]);
    sim.now += 300;
    const afterReady = sim.probe('redis', true);
    expect(sim.state('redis')).toBe('ready');
    // Its dependent is re-probed right away, not at its next period, and counts as ready only once it answers.
    expect(afterReady).toEqual([expect.objectContaining({ type: 'probe', service: 'platform', mode: 'once' })]);
    expect(sim.events).toContainEqual(expect.objectContaining({ type: 'service.recovered', service: 'redis', downMs: 550 }));
    expect(sim.state('platform')).toBe('unready');
    expect(sim.machine.view('platform')?.reason).toBe('re-checking: redis is back');
    sim.now += 20;
    // …then the next link of the chain, once platform is confirmed.
    expect(sim.probe('platform', true)).toEqual([expect.objectContaining({ type: 'probe', service: 'saga', mode: 'once' })]);
    expect(sim.state('platform')).toBe('ready');
    sim.probe('saga', true);
    expect(sim.state('saga')).toBe('ready');
    expect(sim.events).toContainEqual(expect.objectContaining({ type: 'service.recovered', service: 'platform', downMs: 570 }));
    expect(sim.events).toContainEqual(expect.objectContaining({ type: 'service.recovered', service: 'saga', downMs: 570 }));
    expect(sim.machine.view('redis')?.restarts).toBe(1);
    // No restart of the dependent that recovered by itself.
    expect(sim.of('restart', 'platform')).toEqual([]);
  });

  it('restarts a dependent that does not recover within the window when the dependency says restart_dependents', () => {
    const sim = new Sim([svc('redis', [], { name: 'always' }, true), svc('platform', ['redis'])]);
    sim.allReady();
    sim.kill('redis');
    sim.advance(250);
    sim.restarted('redis');
    sim.probe('redis', true);
    // The dependent keeps failing during the recovery window: failures there do not count as its own.
    for (let t = 0; t < 10_000; t += 500) {
      sim.probe('platform', false, 'redis: connection reset');
      expect(sim.of('restart', 'platform')).toEqual([]);
      sim.advance(500);
    }
    // Window over: restart scheduled with the first backoff, then issued.
    expect(sim.state('platform')).toMatch(/backoff|restarting/);
    sim.advance(250);
    expect(sim.of('restart', 'platform')).toHaveLength(1);
    expect(sim.of('restart', 'platform')[0]).toMatchObject({ reason: expect.stringContaining('after redis came back') });
  });

  it('leaves a non-recovering dependent to its own probe rules when restart_dependents is false', () => {
    const sim = new Sim([svc('redis', [], { name: 'always' }, false), svc('platform', ['redis'])]);
    sim.allReady();
    sim.kill('redis');
    sim.advance(250);
    sim.restarted('redis');
    sim.probe('redis', true);
    for (let t = 0; t < 10_000; t += 500) {
      sim.probe('platform', false);
      sim.advance(500);
    }
    expect(sim.of('restart', 'platform')).toEqual([]);
    expect(sim.state('platform')).toBe('unready');
    // Then its own failure threshold applies (3 in a row).
    sim.probe('platform', false);
    sim.advance(1_000);
    sim.probe('platform', false);
    sim.advance(1_000);
    sim.probe('platform', false);
    sim.advance(250);
    expect(sim.of('restart', 'platform')).toHaveLength(1);
  });

  it('does not count probe failures while a dependency is down, and does not restart into a down dependency', () => {
    const sim = new Sim([svc('redis', [], { name: 'no' }), svc('platform', ['redis'])]);
    sim.allReady();
    sim.kill('redis');
    expect(sim.state('redis')).toBe('failed');
    expect(sim.of('diagnose', 'redis')).toHaveLength(1);
    for (let i = 0; i < 10; i += 1) {
      sim.advance(5_000);
      sim.probe('platform', false, 'redis: connection refused');
    }
    expect(sim.of('restart', 'platform')).toEqual([]);
    expect(sim.state('platform')).toBe('degraded');
    // platform crashes too: its restart waits for redis.
    sim.kill('platform', 1);
    sim.advance(60_000);
    expect(sim.of('restart', 'platform')).toEqual([]);
    expect(sim.state('platform')).toBe('waiting');
    expect(sim.machine.view('platform')?.degradedBy).toEqual(['redis']);
  });

  it('restarts a service whose probe fails N times in a row, not before', () => {
    const sim = new Sim([svc('api')]);
    sim.allReady();
    sim.advance(5_000);
    sim.probe('api', false);
    sim.advance(1_000);
    sim.probe('api', false);
    expect(sim.state('api')).toBe('unready');
    sim.advance(1_000);
    sim.probe('api', true); // streak broken
    sim.advance(5_000);
    sim.probe('api', false);
    sim.advance(1_000);
    sim.probe('api', false);
    sim.advance(1_000);
    expect(sim.of('restart', 'api')).toEqual([]);
    sim.probe('api', false);
    sim.advance(250);
    expect(sim.of('restart', 'api')).toEqual([expect.objectContaining({ reason: expect.stringContaining('failed 3 times in a row') })]);
  });

  it('gives a crash-looping service up after on-failure:max, with backoff growing, and degrades every dependent', () => {
    const sim = new Sim([svc('worker', [], { name: 'on-failure', maxRetries: 2 }), svc('api', ['worker']), svc('web', ['api'])]);
    sim.allReady();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      sim.kill('worker', 1);
      const scheduled = sim.events.filter((e) => e.type === 'service.restart-scheduled' && e.service === 'worker');
      const last = scheduled[scheduled.length - 1];
      if (last?.type === 'service.restart-scheduled') delays.push(last.delayMs);
      sim.advance(10_000);
      sim.restarted('worker');
      sim.advance(100);
    }
    expect(delays).toEqual([250, 500]);
    sim.kill('worker', 1);
    expect(sim.state('worker')).toBe('failed');
    expect(sim.of('restart', 'worker')).toHaveLength(2);
    expect(sim.of('diagnose', 'worker')).toHaveLength(1);
    expect(sim.machine.view('worker')?.reason).toMatch(/gave up after 2 restarts in a row \(on-failure:2\)/);
    expect(sim.state('api')).toBe('degraded');
    expect(sim.machine.view('web')?.degradedBy).toEqual(['worker']);
    // And it stays down: no more restarts however long we wait.
    sim.advance(600_000);
    expect(sim.of('restart', 'worker')).toHaveLength(2);
    expect(sim.events).toContainEqual(expect.objectContaining({ type: 'service.gave-up', service: 'worker', restarts: 2 }));
  });

  it('never restarts a container Docker is already restarting, counts those restarts, and stops Docker\'s loop when over budget', () => {
    const sim = new Sim([svc('worker', [], { name: 'on-failure', maxRetries: 2 })]);
    sim.allReady();
    let c = sim.containers.get('worker') as ContainerSnapshot;
    for (let n = 1; n <= 2; n += 1) {
      sim.now += 1_000;
      c = { ...c, status: 'restarting', finishedAt: sim.now, exitCode: 1, restartCount: n };
      expect(sim.feed({ type: 'observed', at: sim.now, service: 'worker', container: c })).toEqual([]);
      expect(sim.state('worker')).toBe('restarting');
      sim.now += 100;
      c = { ...c, status: 'running', startedAt: sim.now };
      const cmds = sim.feed({ type: 'observed', at: sim.now, service: 'worker', container: c });
      expect(cmds).toEqual([expect.objectContaining({ type: 'probe', mode: 'until-ready' })]);
    }
    expect(sim.machine.view('worker')?.restarts).toBe(2);
    sim.now += 1_000;
    c = { ...c, status: 'restarting', finishedAt: sim.now, exitCode: 1, restartCount: 3 };
    const cmds = sim.feed({ type: 'observed', at: sim.now, service: 'worker', container: c });
    expect(cmds).toContainEqual(expect.objectContaining({ type: 'stop', service: 'worker' }));
    expect(sim.state('worker')).toBe('failed');
    expect(sim.of('restart', 'worker')).toEqual([]);
  });

  it('ignores late events of its own restart (same start time) and stale probe results', () => {
    const sim = new Sim([svc('redis')]);
    sim.allReady();
    sim.kill('redis');
    sim.advance(250);
    const oldProbeEpoch = 0;
    sim.restarted('redis');
    const c = sim.containers.get('redis') as ContainerSnapshot;
    // The die/start events of our stop/start arrive late: the driver looks again and sees the same container.
    expect(sim.feed({ type: 'observed', at: sim.now + 5, service: 'redis', container: c })).toEqual([]);
    expect(sim.feed({ type: 'probe.result', at: sim.now, service: 'redis', epoch: oldProbeEpoch, ok: false })).toEqual([]);
    expect(sim.state('redis')).toBe('starting');
    sim.probe('redis', true);
    expect(sim.state('redis')).toBe('ready');
    expect(sim.of('restart', 'redis')).toHaveLength(1);
  });

  it('does not restart under policy no, and treats exit 0 under on-failure as completed', () => {
    const sim = new Sim([svc('once', [], { name: 'no' }), svc('job', [], { name: 'on-failure' })]);
    sim.allReady();
    sim.kill('once', 3);
    sim.kill('job', 0);
    sim.advance(60_000);
    expect(sim.commands.filter((c) => c.type === 'restart')).toEqual([]);
    expect(sim.state('once')).toBe('failed');
    expect(sim.state('job')).toBe('exited');
  });

  it('keeps retrying an always service at the backoff cap, marks it failed meanwhile, and clears that when it comes back', () => {
    const sim = new Sim([svc('flaky', [], { name: 'always' }), svc('api', ['flaky'])]);
    sim.allReady();
    for (let i = 0; i < 4; i += 1) {
      sim.kill('flaky', 1);
      expect(sim.state('flaky')).toBe('backoff');
      sim.advance(10_000);
      sim.restarted('flaky');
    }
    sim.kill('flaky', 1);
    expect(sim.state('flaky')).toBe('failed');
    expect(sim.state('api')).toBe('degraded');
    expect(sim.of('diagnose', 'flaky')).toHaveLength(1);
    expect(sim.of('restart', 'flaky')).toHaveLength(4);
    // Failed but still retried after the next backoff, and a good start clears it.
    sim.advance(4_000);
    expect(sim.of('restart', 'flaky')).toHaveLength(5);
    sim.restarted('flaky');
    sim.probe('flaky', true);
    expect(sim.state('flaky')).toBe('ready');
    expect(sim.machine.view('api')?.degradedBy).toEqual([]);
  });

  it('starts afresh after a stable period: the next failure gets the shortest backoff', () => {
    const sim = new Sim([svc('redis', [], { name: 'always' })]);
    sim.allReady();
    for (let i = 0; i < 3; i += 1) {
      sim.kill('redis', 1);
      sim.advance(5_000);
      sim.restarted('redis');
      sim.probe('redis', true);
    }
    expect(sim.machine.view('redis')?.failuresInARow).toBe(3);
    sim.advance(30_000);
    sim.probe('redis', true);
    sim.kill('redis', 1);
    const last = sim.events.filter((e) => e.type === 'service.restart-scheduled').pop();
    expect(last).toMatchObject({ delayMs: 250, attempt: 1 });
  });

  it('creates a service that was blocked at up once its dependency is ready', () => {
    const sim = new Sim([svc('pg'), svc('api', ['pg'])]);
    const pg = running('pg-1', sim.now);
    sim.containers.set('pg', pg);
    sim.feed({
      type: 'init',
      at: sim.now,
      services: [
        { service: 'pg', container: pg, outcome: 'started' },
        { service: 'api', outcome: 'blocked' },
      ],
    });
    expect(sim.state('api')).toBe('waiting');
    expect(sim.of('restart', 'api')).toEqual([]);
    sim.probe('pg', true);
    expect(sim.of('restart', 'api')).toEqual([expect.objectContaining({ reason: expect.stringContaining('creating it') })]);
    sim.restarted('api');
    sim.probe('api', true);
    expect(sim.state('api')).toBe('ready');
    expect(sim.machine.view('api')?.restarts).toBe(0);
  });

  it('recreates a container removed from outside', () => {
    const sim = new Sim([svc('redis')]);
    sim.allReady();
    sim.feed({ type: 'observed', at: sim.now, service: 'redis', container: undefined });
    expect(sim.state('redis')).toBe('backoff');
    sim.advance(250);
    expect(sim.of('restart', 'redis')).toHaveLength(1);
  });

  it('gives a failed service another chance on request, and decides nothing while suspended', () => {
    const sim = new Sim([svc('once', [], { name: 'no' })]);
    sim.allReady();
    sim.kill('once', 1);
    expect(sim.state('once')).toBe('failed');
    sim.feed({ type: 'restart.request', at: sim.now, service: 'once' });
    expect(sim.of('restart', 'once')).toHaveLength(1);
    sim.restarted('once');
    sim.probe('once', true);
    expect(sim.state('once')).toBe('ready');

    sim.feed({ type: 'suspend', at: sim.now, reason: 'down' });
    expect(sim.kill('once', 1)).toEqual([]);
    expect(sim.advance(60_000)).toEqual([]);
    sim.feed({ type: 'stopped', at: sim.now });
    expect(sim.state('once')).toBe('stopped');
  });

  it('emits a state event for every visible change, with the reason', () => {
    const sim = new Sim([svc('redis'), svc('platform', ['redis'])]);
    sim.allReady();
    sim.kill('redis');
    const states = sim.events.filter((e) => e.type === 'service.state').map((e) => e.type === 'service.state' && `${e.service}:${e.previous}->${e.state}`);
    expect(states).toEqual(['redis:starting->ready', 'platform:starting->ready', 'redis:ready->backoff', 'platform:ready->degraded']);
  });
});

describe('SupervisorMachine: the engine goes away and comes back', () => {
  const stackSpecs = (): SupervisedService[] => [
    svc('redis', [], { name: 'always' }),
    svc('platform', ['redis'], { name: 'no' }),
    svc('saga', ['platform'], { name: 'on-failure', maxRetries: 2 }),
  ];

  /** The engine stops its containers while shutting down: each exits 0 or 143, seen before the outage is. */
  function engineStopsEverything(sim: Sim): SupervisorCommand[] {
    const out: SupervisorCommand[] = [];
    for (const name of ['saga', 'platform', 'redis']) out.push(...sim.kill(name, name === 'redis' ? 0 : 143));
    return out;
  }

  it('is its own state: every service engine-down, nothing restarted, probed or counted while it lasts', () => {
    const sim = new Sim(stackSpecs());
    sim.allReady();
    engineStopsEverything(sim);
    sim.advance(200);
    const before = sim.commands.length;
    sim.feed({ type: 'engine.down', at: sim.now, reason: 'connect ENOENT /var/run/docker.sock' });
    expect(sim.machine.views().map((v) => `${v.name}=${v.state}`)).toEqual(['redis=engine-down', 'platform=engine-down', 'saga=engine-down']);
    expect(sim.machine.view('redis')?.reason).toBe('the container engine does not answer (connect ENOENT /var/run/docker.sock); waiting for it, then the stack is reconciled');
    expect(sim.machine.engineOutage).toEqual({ since: sim.now, reason: 'connect ENOENT /var/run/docker.sock' });
    expect(sim.machine.isSuspended).toBe(true);
    expect(sim.machine.nextWakeAt()).toBeUndefined();

    // A restart the machine issued just before (redis, 250 ms backoff) ends in an engine error: ignored.
    sim.feed({ type: 'restart.done', at: sim.now, service: 'redis', ok: false, error: 'transport is closing: unavailable' });
    sim.feed({ type: 'observed', at: sim.now, service: 'platform', container: undefined });
    sim.advance(120_000);
    expect(sim.commands.slice(before)).toEqual([]);
    expect(sim.machine.views().every((v) => v.state === 'engine-down' && v.failuresInARow === 0)).toBe(true);
    // The outage showed as one state change per service, from what the engine's shutdown looked like.
    const changes = sim.events.filter((e) => e.type === 'service.state' && e.state === 'engine-down');
    expect(changes.map((e) => e.type === 'service.state' && `${e.service}:${e.previous}`)).toEqual(['redis:backoff', 'platform:failed', 'saga:waiting']);
  });

  it('resumes from the reconciled picture: ready again with recovered events, budgets untouched by the outage', () => {
    const sim = new Sim(stackSpecs());
    sim.allReady();
    const downAt = sim.now;
    engineStopsEverything(sim);
    sim.feed({ type: 'engine.down', at: sim.now, reason: 'engine restarting' });
    sim.advance(30_000);
    // The driver reconciled the stack (like up): every service ready in new or restarted containers.
    sim.feed({
      type: 'init',
      at: sim.now,
      services: ['redis', 'platform', 'saga'].map((name) => {
        const c = running(`${name}-2`, sim.now);
        sim.containers.set(name, c);
        return { service: name, container: c, outcome: 'ready' as const };
      }),
    });
    expect(sim.machine.views().map((v) => `${v.name}=${v.state}`)).toEqual(['redis=ready', 'platform=ready', 'saga=ready']);
    expect(sim.machine.engineOutage).toBeUndefined();
    const recovered = sim.events.filter((e) => e.type === 'service.recovered');
    expect(recovered.map((e) => e.type === 'service.recovered' && `${e.service}:${e.downMs}`)).toEqual([
      `redis:${sim.now - downAt}`,
      `platform:${sim.now - downAt}`,
      `saga:${sim.now - downAt}`,
    ]);
    // Supervision is back: a crash now is handled as usual, from the first backoff.
    expect(sim.kill('saga', 1)).toEqual([]);
    expect(sim.state('saga')).toBe('backoff');
    expect(sim.machine.view('saga')?.nextRestartAt).toBe(sim.now + 250);
  });

  it('a service that is not ready after the reconcile is supervised as usual, and recovers later with its event', () => {
    const sim = new Sim(stackSpecs());
    sim.allReady();
    sim.feed({ type: 'engine.down', at: sim.now, reason: 'engine restarting' });
    sim.advance(5_000);
    sim.feed({
      type: 'init',
      at: sim.now,
      services: [
        { service: 'redis', container: running('redis-2', sim.now), outcome: 'ready' as const },
        { service: 'platform', container: running('platform-2', sim.now), outcome: 'started' as const },
        { service: 'saga', container: running('saga-2', sim.now), outcome: 'ready' as const },
      ],
    });
    expect(sim.state('platform')).toBe('unready');
    const probe = sim.of('probe', 'platform');
    expect(probe.length).toBeGreaterThan(0);
    sim.probe('platform', true);
    expect(sim.state('platform')).toBe('ready');
    expect(sim.events.filter((e) => e.type === 'service.recovered').map((e) => e.type === 'service.recovered' && e.service)).toEqual(['redis', 'platform', 'saga']);
  });

  it('a second outage report while down changes nothing', () => {
    const sim = new Sim(stackSpecs());
    sim.allReady();
    sim.feed({ type: 'engine.down', at: sim.now, reason: 'first' });
    const events = sim.events.length;
    sim.feed({ type: 'engine.down', at: sim.now + 10, reason: 'second' });
    expect(sim.events.length).toBe(events);
    expect(sim.machine.engineOutage?.reason).toBe('first');
  });
});
