// The demo's two front doors, side by side: the training worker runs them and the page shows their
// source as the code that runs. Each trains on `data` ({x: [n, 784], y: [n] labels, xTest, yTest}),
// calls `report.batch(loss, acc)` per batch and `report.epoch(epoch, testAccuracy)` per epoch, and
// resolves to `{predict, model}`: `predict(x) -> probabilities`, and the Keras-like model (which saves
// in TF.js's Layers format; the PyTorch-like net has no Keras format, so its `model` is null).

export async function trainKeras(wg, data, kind, epochs, report) {
  const layers =
    kind === 'mlp'
      ? [
          wg.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
          wg.layers.dense({ units: 10, activation: 'softmax' }),
        ]
      : [
          wg.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
          wg.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
          wg.layers.maxPooling2d({ poolSize: 2 }),
          wg.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
          wg.layers.maxPooling2d({ poolSize: 2 }),
          wg.layers.flatten(),
          wg.layers.dense({ units: 10, activation: 'softmax' }),
        ];
  const model = wg.sequential({ layers });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(data.x, data.y, {
    epochs,
    batchSize: 64,
    verbose: 0,
    validationData: [data.xTest, data.yTest],
    callbacks: {
      onBatchEnd: (batch, logs) => report.batch(logs.loss, logs.acc),
      onEpochEnd: (epoch, logs) => report.epoch(epoch, logs.val_acc),
    },
  });
  return { predict: (x) => model.predict(x), model };
}

export async function trainTorch(wg, data, kind, epochs, report) {
  const { nn, optim } = wg;
  class MLP extends nn.Module {
    constructor() {
      super();
      this.fc1 = new nn.Linear(784, 128);
      this.fc2 = new nn.Linear(128, 10);
    }
    forward(x) {
      return this.fc2.forward(this.fc1.forward(x).relu());
    }
  }
  class CNN extends nn.Module {
    constructor() {
      super();
      this.conv1 = new nn.Conv2d(1, 8, 3);
      this.conv2 = new nn.Conv2d(8, 16, 3);
      this.pool = new nn.MaxPool2d(2);
      this.fc = new nn.Linear(16 * 5 * 5, 10);
    }
    forward(x) {
      const h = this.pool.forward(this.conv1.forward(x.view([-1, 1, 28, 28])).relu());
      return this.fc.forward(this.pool.forward(this.conv2.forward(h).relu()).flatten(1));
    }
  }
  const net = kind === 'mlp' ? new MLP() : new CNN();
  const optimizer = new optim.Adam(net.parameters(), { lr: 1e-3 });
  const criterion = new nn.CrossEntropyLoss();
  const n = data.x.shape[0];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = wg.randperm(n);
    for (let start = 0; start < n; start += 64) {
      optimizer.zeroGrad();
      const [loss, acc] = wg.tidy(() => {
        const idx = order.narrow(0, start, Math.min(64, n - start));
        const [xb, yb] = [data.x.indexSelect(0, idx), data.y.indexSelect(0, idx)];
        const logits = net.forward(xb);
        const loss = criterion.forward(logits, yb);
        loss.backward();
        return [loss, logits.argmax(-1).eq(yb).cast('float32').mean()];
      });
      optimizer.step();
      report.batch(await loss.item(), await acc.item());
      loss.dispose();
      acc.dispose();
    }
    order.dispose();
    const testAccuracy = wg.tidy(() =>
      wg.noGrad(() => {
        net.eval();
        const acc = net.forward(data.xTest).argmax(-1).eq(data.yTest).cast('float32').mean();
        net.train();
        return acc;
      }),
    );
    report.epoch(epoch, await testAccuracy.item());
    testAccuracy.dispose();
  }
  const predict = (x) =>
    wg.tidy(() =>
      wg.noGrad(() => {
        net.eval();
        return net.forward(x).softmax(-1);
      }),
    );
  return { predict, model: null };
}

/** The trainer for each choice of the page's API menu. */
export const trainers = { keras: trainKeras, torch: trainTorch };
