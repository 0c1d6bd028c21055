// The MNIST demo: loads the digits, trains with the chosen API/model/backend in a module worker
// (train-worker.mjs, so the page never stalls), charts progress, predicts digits drawn on the
// canvas, and saves the model (IndexedDB, downloads) and loads one (IndexedDB, picked files, as
// TF.js's Layers format), testing it on the held-out digits. The worker holds the model: the page
// never loads the WebAssembly module. `?autorun=1&backend=webgpu&api=keras&model=mlp&epochs=2`
// starts training at once (the end-to-end test uses it); `window.__demo` mirrors the page's state.
import { trainers } from './models.mjs';
import { Chart } from './chart.mjs';

const $ = (id) => document.getElementById(id);
const state = (window.__demo = {
  state: 'loading',
  testAccuracy: null,
  samplesPerSecond: null,
  predictions: 0,
  error: null,
  /** The last save or load: 'idle' | 'busy' | 'done' | 'error', its message, and how many ended. */
  io: 'idle',
  ioMessage: null,
  ioCount: 0,
  /** The test accuracy the model saved in IndexedDB had (kept in localStorage across reloads). */
  savedAccuracy: null,
  /** The loaded model: {source, testAccuracy (null if it does not fit MNIST), misfit, summary, probs}. */
  loaded: null,
});
const chart = new Chart($('chart'));
const TEST = 2000;
const SAVED = 'webgrad-mnist';
const SAVED_ACCURACY = `${SAVED}:test-accuracy`;
let worker = null;
/** What the worker holds: null, or {classifies (predicts digits), saveable (a Keras-like model), testAccuracy}. */
let current = null;
let training = false;
let digits = null;
const percent = (a) => `${(100 * a).toFixed(2)}%`;

function setStatus(text, s) {
  $('status').textContent = text;
  $('status').dataset.state = s;
  state.state = s;
}

function fail(message, stack = message) {
  state.error = stack;
  training = false;
  setStatus(`error: ${message}`, 'error');
  enable();
}

/** The buttons that fit the page's state: nothing starts while training, saving or loading. */
function enable() {
  const idle = digits !== null && !training && state.io !== 'busy';
  $('train').disabled = $('load-saved').disabled = $('files').disabled = !idle;
  $('save').disabled = $('download').disabled = !(idle && current?.saveable);
}

function ioStatus(text, s) {
  $('io-status').textContent = text;
  $('io-status').dataset.state = s;
  state.io = s;
  state.ioMessage = text;
  if (s !== 'busy') state.ioCount++;
  enable();
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

/** Starts a fresh worker (ending the last one, and with it its model and tensors) on the chosen backend. */
function startWorker() {
  current = null;
  worker?.terminate();
  worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => show[data.type](data);
  worker.onerror = (e) => {
    const message = e.message || 'the worker failed to start';
    if (training) fail(message);
    else ioStatus(`error: ${message}`, 'error');
  };
  // A copy of the digits, transferred: the page keeps its own for "Show a test digit".
  const bytes = digits.bytes.slice();
  worker.postMessage({ type: 'start', backend: $('backend').value, test: TEST, bytes }, [bytes.buffer]);
}

function train() {
  training = true;
  state.testAccuracy = state.error = null;
  chart.reset();
  setStatus('initialising…', 'running');
  $('io-status').textContent = '–';
  enable();
  startWorker();
  worker.postMessage({
    type: 'train',
    api: $('api').value,
    model: $('model').value,
    epochs: Number($('epochs').value),
    nTrain: Math.min(Number($('train-size').value), digits.n - TEST),
  });
}

// ---- saving and loading ---------------------------------------------------------------------
/** What is being loaded: {label, saved (the model saved in IndexedDB)}. */
let loading = null;

/** Loads `source` (an indexeddb:// URL or [model.json, ...weight files]) in a fresh worker. */
function load(source, label, saved = false) {
  loading = { label, saved };
  ioStatus(`loading ${label}…`, 'busy');
  state.loaded = null;
  $('loaded-accuracy').textContent = '…';
  $('summary').hidden = true;
  startWorker();
  worker.postMessage({ type: 'load', source });
}

$('load-saved').onclick = () => load(`indexeddb://${SAVED}`, 'the model saved in this browser', true);
$('files').onchange = () => {
  // loadLayersModel takes [model.json, ...weight files]: the JSON first, whatever the picking order.
  const files = [...$('files').files].sort((a, b) => b.name.endsWith('.json') - a.name.endsWith('.json'));
  $('files').value = '';
  if (files.length === 0) return;
  if (!files[0].name.endsWith('.json')) {
    ioStatus(`error: pick a model.json with its weight files (got ${files.map((f) => f.name).join(', ')})`, 'error');
    return;
  }
  load(files, files.map((f) => f.name).join(' + '));
};
$('save').onclick = () => {
  ioStatus('saving to this browser…', 'busy');
  worker.postMessage({ type: 'save', to: `indexeddb://${SAVED}` });
};
$('download').onclick = () => {
  ioStatus('preparing the download…', 'busy');
  worker.postMessage({ type: 'save', to: 'page' });
};

function showSavedAccuracy() {
  const a = localStorage.getItem(SAVED_ACCURACY);
  state.savedAccuracy = a === null ? null : Number(a);
  $('saved-accuracy').textContent = a === null ? '–' : `${percent(Number(a))} test accuracy when saved to this browser`;
}

/** The worker's model's artifacts, downloaded by the page (a worker has no document to download from). */
async function download(artifacts) {
  const { io } = await import('../dist/index.js');
  await io.browserDownloads(SAVED).save(artifacts);
  ioStatus(`downloaded ${SAVED}.json and ${SAVED}.weights.bin`, 'done');
}

/** What the page does with each of the worker's messages (train-worker.mjs lists them). */
const show = {
  backend({ name }) {
    $('backend-name').textContent = name;
    if (training) setStatus('training…', 'running');
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
    training = false;
    current = { classifies: true, saveable: $('api').value === 'keras', testAccuracy };
    state.testAccuracy = testAccuracy;
    $('test-accuracy').textContent = percent(testAccuracy);
    setStatus(`done · ${liveTensors} live tensors`, 'done');
    enable();
    if (!current.saveable)
      $('io-status').textContent = 'the PyTorch-like model has no Keras format: train the Keras-like one to save it';
  },
  loaded({ summary, inputShape, outputShape, misfit, testAccuracy, probs }) {
    const { label: source, saved } = loading;
    current = { classifies: misfit === null, saveable: true, testAccuracy };
    state.loaded = { source, testAccuracy, misfit, summary, probs: probs && Array.from(probs) };
    $('summary').textContent = summary.join('\n');
    $('summary').hidden = false;
    const shapes = `[${inputShape.slice(1).join(', ')}] → [${outputShape.slice(1).join(', ')}]`;
    if (misfit !== null) {
      $('loaded-accuracy').textContent = `not tested: ${shapes} does not fit MNIST (${misfit})`;
      ioStatus(`loaded ${source}: its summary is below, but it does not classify MNIST digits`, 'done');
      return;
    }
    const before = saved && state.savedAccuracy !== null ? ` (${percent(state.savedAccuracy)} when saved)` : '';
    $('loaded-accuracy').textContent = `${percent(testAccuracy)} test accuracy${before}`;
    ioStatus(`loaded ${source}`, 'done');
  },
  saved({ to, weightBytes }) {
    if (current.testAccuracy === null) localStorage.removeItem(SAVED_ACCURACY);
    else localStorage.setItem(SAVED_ACCURACY, String(current.testAccuracy));
    showSavedAccuracy();
    ioStatus(`saved to ${to} (${weightBytes.toLocaleString()} bytes of weights)`, 'done');
  },
  artifacts: ({ artifacts }) => download(artifacts).catch((e) => ioStatus(`error: ${e?.message ?? e}`, 'error')),
  probs: ({ probs }) => showPrediction(Array.from(probs)),
  error({ during, message, stack }) {
    if (during === 'train' || (during === 'start' && training)) fail(message, stack);
    else if (during === 'predict') $('prediction').textContent = `error: ${message}`;
    else {
      if (during !== 'save') $('loaded-accuracy').textContent = '–';
      ioStatus(`error: ${message}`, 'error');
    }
  },
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
  if (!current?.classifies) {
    $('prediction').textContent = 'train or load an MNIST model first';
    return;
  }
  const pixels = mnistPixels(canvas);
  worker.postMessage({ type: 'predict', pixels }, [pixels.buffer]);
}

function showPrediction(scores) {
  // A loaded model may end in logits rather than probabilities: those go through a softmax.
  const sum = scores.reduce((a, v) => a + v, 0);
  const probabilities = scores.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3;
  const top = Math.max(...scores);
  const exp = scores.map((v) => Math.exp(v - top));
  const total = exp.reduce((a, v) => a + v, 0);
  const p = probabilities ? scores : exp.map((v) => v / total);
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
showSavedAccuracy();
try {
  digits = await loadDigits();
  setStatus(`${digits.n.toLocaleString()} digits loaded`, 'ready');
  enable();
  if (params.get('autorun') === '1') train();
} catch (e) {
  fail(e.message, String(e?.stack ?? e));
}
