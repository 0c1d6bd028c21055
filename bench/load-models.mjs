// The models of the model-loading benchmarks: the largest TF.js-written fixture, and two bigger models
// built with TensorFlow.js's Layers API (`build(tf)`), which bench/run.mjs saves with TF.js in Node as
// the converter lays them out (model.json + 4 MiB shards) under bench/results/models/<key>/, served to
// the page by URL like the fixture. Both libraries then load the very same files.

/** Keras's MobileNetV2 (alpha 1.0, 224x224x3, 1000 classes; 3.5M parameters), layer names as Keras's. */
function mobilenetV2(tf) {
  const L = tf.layers;
  const bn = (name, x) => L.batchNormalization({ name, epsilon: 1e-3, momentum: 0.999 }).apply(x);
  const relu6 = (name, x) => L.reLU({ name, maxValue: 6 }).apply(x);
  const conv1x1 = (name, filters, x) => L.conv2d({ name, filters, kernelSize: 1, useBias: false }).apply(x);
  // Keras's correct_pad on an even size before a stride-2 'valid' layer: one row below, one column right.
  const pad = (name, x) => L.zeroPadding2d({ name, padding: [0, 1].map(() => [0, 1]) }).apply(x);
  const depthwise = (name, strides, x) =>
    L.depthwiseConv2d({
      name,
      kernelSize: 3,
      strides,
      padding: strides === 1 ? 'same' : 'valid',
      useBias: false,
    }).apply(strides === 1 ? x : pad(name.replace('depthwise', 'pad'), x));
  const input = tf.input({ shape: [224, 224, 3], name: 'input_1' });
  let x = pad('Conv1_pad', input);
  x = L.conv2d({ name: 'Conv1', filters: 32, kernelSize: 3, strides: 2, useBias: false }).apply(x);
  x = relu6('Conv1_relu', bn('bn_Conv1', x));
  // (expansion, output channels, repeats, first stride), as in the paper's table 2.
  const stages = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let block = 0;
  for (const [t, c, n, s] of stages) {
    for (let i = 0; i < n; i++, block++) {
      const p = block === 0 ? 'expanded_conv_' : `block_${block}_`;
      const inChannels = x.shape[3];
      const blockIn = x;
      if (t !== 1) x = relu6(`${p}expand_relu`, bn(`${p}expand_BN`, conv1x1(`${p}expand`, inChannels * t, x)));
      const stride = i === 0 ? s : 1;
      x = relu6(`${p}depthwise_relu`, bn(`${p}depthwise_BN`, depthwise(`${p}depthwise`, stride, x)));
      x = bn(`${p}project_BN`, conv1x1(`${p}project`, c, x));
      if (stride === 1 && inChannels === c) x = L.add({ name: `${p}add` }).apply([blockIn, x]);
    }
  }
  x = relu6('out_relu', bn('Conv_1_bn', conv1x1('Conv_1', 1280, x)));
  x = L.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x);
  const y = L.dense({ name: 'predictions', units: 1000, activation: 'softmax' }).apply(x);
  return tf.model({ name: 'mobilenetv2_1.00_224', inputs: input, outputs: y });
}

/** Three Dense layers, 1024 -> 4096 -> 4096 -> 256: 22,028,544 float32 parameters (88.1 MB). */
function dense22m(tf) {
  const L = tf.layers;
  return tf.sequential({
    name: 'dense_22m',
    layers: [
      L.dense({ name: 'dense_1', units: 4096, activation: 'relu', inputShape: [1024] }),
      L.dense({ name: 'dense_2', units: 4096, activation: 'relu' }),
      L.dense({ name: 'dense_3', units: 256 }),
    ],
  });
}

/** key, title (in workload names), model.json URL, batch-1 input shape, and `build` for the generated ones. */
export const LOAD_MODELS = [
  {
    key: 'fixture',
    title: 'mobilenet_v2_block fixture',
    url: '/tests/fixtures/tfjs-models/mobilenet_v2_block/model.json',
    input: [1, 32, 32, 3],
  },
  {
    key: 'mobilenet_v2',
    title: 'MobileNetV2 224 (3.5M params)',
    url: '/bench/results/models/mobilenet_v2/model.json',
    input: [1, 224, 224, 3],
    build: mobilenetV2,
  },
  {
    key: 'dense_22m',
    title: 'Dense 22M params',
    url: '/bench/results/models/dense_22m/model.json',
    input: [1, 1024],
    build: dense22m,
  },
];

const BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes of a model.json's weights as stored (quantized dtypes at their stored size). */
export function weightBytes(modelJson) {
  let total = 0;
  for (const group of modelJson.weightsManifest) {
    for (const w of group.weights) {
      const dtype = w.quantization?.dtype ?? w.dtype;
      total += w.shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    }
  }
  return total;
}
