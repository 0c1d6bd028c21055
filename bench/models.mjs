// The benchmark workloads, written once for webgrad (raw ops + a hand-written Adam step, NCHW) and
// once for TensorFlow.js (its Layers API, NHWC), with the same shapes and hyper-parameters.

/** An MLP or small CNN in webgrad ops (dense layers as fused `linear`), trained with the fused Adam
 * update (lr 1e-3, betas 0.9/0.999, eps 1e-7, Keras's epsilon placement as TensorFlow.js uses). */
export class WebgradNet {
  constructor(wg, kind) {
    this.wg = wg;
    this.kind = kind;
    const param = (shape, fanIn) => wg.keep(wg.randn(shape).mul(Math.sqrt(2 / fanIn)));
    this.params =
      kind === 'mlp'
        ? [
            param([784, 256], 784),
            wg.keep(wg.zeros([256])),
            param([256, 128], 256),
            wg.keep(wg.zeros([128])),
            param([128, 10], 128),
            wg.keep(wg.zeros([10])),
          ]
        : [
            param([8, 1, 3, 3], 9),
            wg.keep(wg.zeros([8])),
            param([16, 8, 3, 3], 72),
            wg.keep(wg.zeros([16])),
            param([400, 10], 400),
            wg.keep(wg.zeros([10])),
          ];
    for (const p of this.params) p.requiresGrad = true;
    this.m = this.params.map((p) => wg.keep(wg.zerosLike(p)));
    this.v = this.params.map((p) => wg.keep(wg.zerosLike(p)));
    this.t = 0;
  }

  forward(x) {
    const [a, b, c, d, e, f] = this.params;
    if (this.kind === 'mlp') return x.linear(a, b, 'relu').linear(c, d, 'relu').linear(e, f);
    const pool = { kernelSize: 2 };
    const h = x.conv2d(a, { bias: b }).relu().maxPool2d(pool).conv2d(c, { bias: d }).relu().maxPool2d(pool);
    return h.flatten(1).linear(e, f);
  }

  /** One training step on a batch (x, one-hot y); the loss stays on the device. */
  step(x, y) {
    const { wg } = this;
    wg.tidy(() => {
      const logits = this.forward(x);
      logits
        .logSoftmax(1)
        .mul(y)
        .sum()
        .mul(-1 / x.shape[0])
        .backward();
    });
    this.t += 1;
    this.params = this.params.map((p, i) => {
      const [next, m, v] = p.adamUpdate(p.grad, this.m[i], this.v[i], {
        lr: 1e-3,
        eps: 1e-7,
        epsilonHat: true,
        step: this.t,
      });
      p.dispose();
      this.m[i].dispose();
      this.v[i].dispose();
      this.m[i] = wg.keep(m);
      this.v[i] = wg.keep(v);
      next.requiresGrad = true;
      return wg.keep(next);
    });
  }

  predict(x) {
    return this.wg.noGrad(() => this.forward(x).softmax(1));
  }
}

/** The same networks in TensorFlow.js Layers (NHWC); webgrad's Keras-like API runs this code unchanged (`api` = `wg`). */
export function tfjsNet(tf, kind) {
  // `tf` is TensorFlow.js or webgrad
  const layers =
    kind === 'mlp'
      ? [
          tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }),
          tf.layers.dense({ units: 128, activation: 'relu' }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ]
      : [
          tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ];
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}
