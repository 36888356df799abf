import * as tf from '@tensorflow/tfjs-core';

/** Value and gradient of the objective at the variable's current value. The gradient is owned by the caller of `step`. */
export type ValueAndGrad = () => { value: number; grad: tf.Tensor };

/**
 * Limited-memory BFGS (Nocedal & Wright, alg. 7.4) over one variable, with an
 * Armijo backtracking line search. History tensors are kept and freed here.
 */
export class Lbfgs {
  private readonly s: tf.Tensor[] = [];
  private readonly y: tf.Tensor[] = [];
  private readonly rho: number[] = [];
  private prevGrad: tf.Tensor | null = null;
  private prevValue = Number.NaN;
  private first = true;

  constructor(
    private readonly x: tf.Variable,
    private readonly f: ValueAndGrad,
    private readonly opts: { history: number; learningRate: number; clip?: [number, number] },
  ) {}

  /** One L-BFGS iteration; returns the objective after it and the number of evaluations. */
  step(): { value: number; evaluations: number } {
    let evaluations = 0;
    if (!this.prevGrad) {
      const r = this.f();
      evaluations++;
      this.prevGrad = r.grad;
      this.prevValue = r.value;
    }
    const g = this.prevGrad;
    const dir = tf.tidy(() => {
      let q: tf.Tensor = g;
      const alpha: tf.Scalar[] = [];
      for (let i = this.s.length - 1; i >= 0; i--) {
        const a = tf.mul(tf.sum(tf.mul(this.s[i]!, q)), this.rho[i]!) as tf.Scalar;
        alpha[i] = a;
        q = tf.sub(q, tf.mul(a, this.y[i]!));
      }
      if (this.s.length > 0) {
        const k = this.s.length - 1;
        const gamma = tf.div(tf.sum(tf.mul(this.s[k]!, this.y[k]!)), tf.sum(tf.mul(this.y[k]!, this.y[k]!)));
        q = tf.mul(q, gamma);
      }
      for (let i = 0; i < this.s.length; i++) {
        const b = tf.mul(tf.sum(tf.mul(this.y[i]!, q)), this.rho[i]!);
        q = tf.add(q, tf.mul(this.s[i]!, tf.sub(alpha[i]!, b)));
      }
      return tf.neg(q);
    });
    const slopeT = tf.tidy(() => tf.sum(tf.mul(g, dir)));
    let slope = slopeT.dataSync()[0]!;
    slopeT.dispose();
    let d = dir;
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      dir.dispose();
      this.clearHistory();
      d = tf.neg(g);
      const sl = tf.tidy(() => tf.neg(tf.sum(tf.square(g))));
      slope = sl.dataSync()[0]!;
      sl.dispose();
      this.first = true;
    }
    let t = this.opts.learningRate;
    if (this.first) {
      const n = tf.tidy(() => tf.sum(tf.abs(g)));
      t = Math.min(1, 1 / n.dataSync()[0]!) * this.opts.learningRate * Math.max(1, Math.sqrt(g.size));
      n.dispose();
      this.first = false;
    }
    const x0 = tf.clone(this.x);
    let accepted: { value: number; grad: tf.Tensor } | null = null;
    for (let tries = 0; tries < 8; tries++) {
      tf.tidy(() => {
        const moved = tf.add(x0, tf.mul(d, t));
        this.x.assign(this.opts.clip ? tf.clipByValue(moved, this.opts.clip[0], this.opts.clip[1]) : moved);
      });
      const r = this.f();
      evaluations++;
      if (r.value <= this.prevValue + 1e-4 * t * slope || tries === 7) {
        accepted = r;
        break;
      }
      r.grad.dispose();
      t *= 0.5;
    }
    const r = accepted!;
    const sNew = tf.sub(this.x, x0);
    const yNew = tf.sub(r.grad, g);
    const syT = tf.tidy(() => tf.sum(tf.mul(sNew, yNew)));
    const sy = syT.dataSync()[0]!;
    syT.dispose();
    if (sy > 1e-10) {
      this.s.push(sNew);
      this.y.push(yNew);
      this.rho.push(1 / sy);
      if (this.s.length > this.opts.history) {
        this.s.shift()!.dispose();
        this.y.shift()!.dispose();
        this.rho.shift();
      }
    } else {
      sNew.dispose();
      yNew.dispose();
    }
    tf.dispose([x0, d, g]);
    this.prevGrad = r.grad;
    this.prevValue = r.value;
    return { value: r.value, evaluations };
  }

  private clearHistory(): void {
    tf.dispose([...this.s, ...this.y]);
    this.s.length = 0;
    this.y.length = 0;
    this.rho.length = 0;
  }

  dispose(): void {
    this.clearHistory();
    this.prevGrad?.dispose();
    this.prevGrad = null;
  }
}
