/**
 * What the classic builder did, read from its output: each `Step i/n : KEYWORD …` line opens a step,
 * ` ---> Using cache` as the next line means the step was taken from the layer cache. FROM steps only
 * pick a base and are not counted.
 */
export interface BuildSteps {
  /** Steps after FROM (every stage's). */
  total: number;
  /** Of those, taken from the cache. */
  cached: number;
}

export class BuildStepCounter {
  private total = 0;
  private cached = 0;
  private current: 'from' | 'step' | undefined;

  line(text: string): void {
    const step = /^Step \d+\/\d+ : (\S+)/.exec(text);
    if (step) {
      this.current = step[1]?.toUpperCase() === 'FROM' ? 'from' : 'step';
      if (this.current === 'step') this.total += 1;
      return;
    }
    // Only the line right after the step's own line: a RUN may print anything.
    if (this.current === 'step' && /^\s*---> Using cache\s*$/.test(text)) this.cached += 1;
    this.current = undefined;
  }

  result(): BuildSteps {
    return { total: this.total, cached: this.cached };
  }
}
