// The MNIST demo: loads the digits, trains with the chosen API/model/backend in a module worker
// (train-worker.mjs, so the page never stalls), charts progress, and predicts digits drawn on the
// canvas. `?autorun=1&backend=webgpu&api=keras&model=mlp&epochs=2` starts training at once (the
// end-to-end test uses it); `window.__demo` mirrors the page's state.
import { trainers } from './models.mjs';
import { Chart } from './chart.mjs';

const $ = (id) => document.getElementById(id);
const state = (window.__demo = {
  state: 'loading',
  testAccuracy: null,
  samplesPerSecond: null,
  predictions: 0,
  error: null,
});
const chart = new Chart($('chart'));
const TEST = 2000;
let worker = null;
let trained = false;
let digits = null;

function setStatus(text, s) {
  $('status').textContent = text;
  $('status').dataset.state = s;
  state.state = s;
}

function fail(message, stack = message) {
  state.error = stack;
  setStatus(`error: ${message}`, 'error');
  $('train').disabled = false;
}

// The page imports models.mjs only to show the source of the trainer the worker runs.
function showCode() {
  const keras = $('api').value === 'keras';
  $('code-title').textContent = keras ? 'Keras-like' : 'PyTorch-like';
  $('code').textContent = trainers[$('api').value].toString();
}

/** mnist.bin's bytes (train-worker.mjs decodes them) and its digit count. */
async function loadDigits() {
  const bytes = new Uint8Array(await (await fetch('data/mnist.bin')).arrayBuffer());
  return { n: new DataView(bytes.buffer).getUint32(0, true), bytes };
}

/** Starts a fresh worker (ending the last one, and with it its model and tensors) to train. */
function train() {
  $('train').disabled = true;
  trained = false;
  state.testAccuracy = state.error = null;
  chart.reset();
  setStatus('initialising…', 'running');
  worker?.terminate();
  worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => show[data.type](data);
  worker.onerror = (e) => fail(e.message || 'the training worker failed to start');
  // A copy of the digits, transferred: the page keeps its own for "Show a test digit".
  const bytes = digits.bytes.slice();
  worker.postMessage(
    {
      type: 'train',
      backend: $('backend').value,
      api: $('api').value,
      model: $('model').value,
      epochs: Number($('epochs').value),
      nTrain: Math.min(Number($('train-size').value), digits.n - TEST),
      test: TEST,
      bytes,
    },
    [bytes.buffer],
  );
}

/** What the page does with each of the worker's messages (train-worker.mjs lists them). */
const show = {
  backend({ name }) {
    $('backend-name').textContent = name;
    setStatus('training…', 'running');
  },
  batch({ loss, acc, samples, seconds }) {
    chart.addBatch(loss, acc);
    state.samplesPerSecond = Math.round(samples / seconds);
    $('samples-per-s').textContent = state.samplesPerSecond.toLocaleString();
  },
  epoch({ epoch, epochs, testAccuracy }) {
    $('epoch').textContent = `${epoch + 1} / ${epochs}`;
    chart.addEpoch(testAccuracy);
    $('test-accuracy').textContent = `${(100 * testAccuracy).toFixed(2)}% after epoch ${epoch + 1}`;
  },
  testing: () => setStatus('testing…', 'running'),
  done({ testAccuracy, liveTensors }) {
    trained = true;
    state.testAccuracy = testAccuracy;
    $('test-accuracy').textContent = `${(100 * testAccuracy).toFixed(2)}%`;
    setStatus(`done · ${liveTensors} live tensors`, 'done');
    $('train').disabled = false;
  },
  probs: ({ probs }) => showPrediction(Array.from(probs)),
  error: ({ message, stack }) => fail(message, stack),
};

// ---- drawing and predicting -----------------------------------------------------------------
const canvas = $('draw');
// On the CPU, like the chart's: mnistPixels reads it back, and the GPU is busy training.
const ink = canvas.getContext('2d', { willReadFrequently: true });
ink.lineWidth = 16;
ink.lineCap = ink.lineJoin = 'round';
ink.strokeStyle = '#fff';
let drawing = false;
canvas.addEventListener('pointerdown', (e) => {
  drawing = true;
  ink.beginPath();
  ink.moveTo(e.offsetX, e.offsetY);
});
canvas.addEventListener('pointermove', (e) => {
  if (drawing) {
    ink.lineTo(e.offsetX, e.offsetY);
    ink.stroke();
  }
});
canvas.addEventListener('pointerup', () => {
  drawing = false;
  predictCanvas();
});
$('clear').onclick = () => {
  ink.clearRect(0, 0, canvas.width, canvas.height);
  $('prediction').textContent = '–';
  $('probs').textContent = '';
};

let shown = 0;
$('sample').onclick = () => {
  const index = digits.n - TEST + (shown++ % TEST);
  const small = new ImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = digits.bytes[4 + index * 784 + p];
    small.data.set([v, v, v, 255], p * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = 28;
  tmp.getContext('2d').putImageData(small, 0, 0);
  ink.imageSmoothingEnabled = false;
  ink.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  predictCanvas();
};

/**
 * The drawing as MNIST prepares its digits: the ink's bounding box scaled to fit 20x20 (keeping its
 * aspect), placed in 28x28 so its centre of mass is the centre.
 */
function mnistPixels(source) {
  const { width, height } = source;
  const ink = source.getContext('2d').getImageData(0, 0, width, height).data;
  let [top, left, bottom, right] = [height, width, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[(y * width + x) * 4] > 32) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const g = small.getContext('2d');
  if (bottom >= 0) {
    const [w, h] = [right - left + 1, bottom - top + 1];
    const scale = 20 / Math.max(w, h);
    g.drawImage(source, left, top, w, h, 14 - (w * scale) / 2, 14 - (h * scale) / 2, w * scale, h * scale);
  }
  const rgba = g.getImageData(0, 0, 28, 28).data;
  const pixels = Float32Array.from({ length: 784 }, (_, p) => rgba[p * 4] / 255);
  // Shift so the centre of mass lands on (14, 14).
  let [mass, cx, cy] = [0, 0, 0];
  pixels.forEach((v, p) => {
    mass += v;
    cx += v * (p % 28);
    cy += v * Math.floor(p / 28);
  });
  if (mass === 0) return pixels;
  const [dx, dy] = [Math.round(14 - cx / mass), Math.round(14 - cy / mass)];
  const shifted = new Float32Array(784);
  pixels.forEach((v, p) => {
    const [x, y] = [(p % 28) + dx, Math.floor(p / 28) + dy];
    if (x >= 0 && x < 28 && y >= 0 && y < 28) shifted[y * 28 + x] = v;
  });
  return shifted;
}

function predictCanvas() {
  if (!trained) {
    $('prediction').textContent = 'train a model first';
    return;
  }
  const pixels = mnistPixels(canvas);
  worker.postMessage({ type: 'predict', pixels }, [pixels.buffer]);
}

function showPrediction(p) {
  const best = p.indexOf(Math.max(...p));
  $('prediction').textContent = `${best} (${(100 * p[best]).toFixed(1)}%)`;
  $('prediction').dataset.count = String(++state.predictions);
  $('probs').innerHTML = p
    .map(
      (v, d) =>
        `<div>${d} <span class="bar" style="width:${Math.round(120 * v)}px"></span> ${(100 * v).toFixed(1)}%</div>`,
    )
    .join('');
}

// ---- start ----------------------------------------------------------------------------------
const params = new URLSearchParams(location.search);
for (const key of ['backend', 'api', 'model', 'epochs']) if (params.has(key)) $(key).value = params.get(key);
if (params.has('train')) $('train-size').value = params.get('train');
$('api').onchange = showCode;
$('train').onclick = train;
showCode();
try {
  digits = await loadDigits();
  setStatus(`${digits.n.toLocaleString()} digits loaded`, 'ready');
  $('train').disabled = false;
  if (params.get('autorun') === '1') train();
} catch (e) {
  fail(e.message, String(e?.stack ?? e));
}
