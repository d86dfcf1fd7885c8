import { describe, expect, it } from 'vitest';
import { BuildStepCounter } from '../../../src/runtime/build-steps.js';

/** The classic builder's output, as docker-runtime's keep() passes it on (blank lines dropped). */
const OUTPUT = `Step 1/6 : FROM debian:bookworm-slim
 ---> 8a1b2c3d4e5f
Step 2/6 : RUN apt-get update && apt-get install -y python3
 ---> Using cache
 ---> 1111aaaa2222
Step 3/6 : COPY pyairtable-common /opt/pyairtable-common
 ---> Using cache
 ---> 3333bbbb4444
Step 4/6 : COPY api-gateway /app
 ---> 5555cccc6666
Step 5/6 : RUN echo "---> Using cache"
 ---> Running in 0f0f0f0f0f0f
---> Using cache
Removing intermediate container 0f0f0f0f0f0f
 ---> 7777dddd8888
Step 6/6 : LABEL io.stackctl.context-hash=abc
 ---> Running in 9999eeee0000
Removing intermediate container 9999eeee0000
 ---> 1212ffff3434
Successfully built 1212ffff3434`;

describe('BuildStepCounter', () => {
  it('counts the steps after FROM and those the cache gave (a RUN printing the marker is not one)', () => {
    const counter = new BuildStepCounter();
    for (const line of OUTPUT.split('\n')) counter.line(line);
    expect(counter.result()).toEqual({ total: 5, cached: 2 });
  });

  it("every stage's FROM is left out", () => {
    const counter = new BuildStepCounter();
    for (const line of ['Step 1/4 : FROM a AS build', ' ---> 1', 'Step 2/4 : RUN make', ' ---> Using cache', 'Step 3/4 : FROM b', ' ---> Using cache', 'Step 4/4 : COPY --from=build /out /out']) counter.line(line);
    expect(counter.result()).toEqual({ total: 2, cached: 1 });
  });
});
