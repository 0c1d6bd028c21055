// The MNIST demo: loads the digits, trains with the chosen API/model/backend, charts progress, and
// predicts digits drawn on the canvas. `?autorun=1&backend=webgpu&api=keras&model=mlp&epochs=2`
// starts training at once (the end-to-end test uses it); `window.__demo` mirrors the page's state.
import * as wg from '../dist/index.js';
import { trainKeras, trainTorch } from './models.mjs';
import { Chart } from './chart.mjs';

const $ = (id) => document.getElementById(id);
const state = (window.__demo = { state: 'loading', testAccuracy: null, samplesPerSecond: null, predictions: 0, error: null });
const chart = new Chart($('chart'));
const TEST = 2000;
let predict = null;
let digits = null;

function setStatus(text, s) {
  $('status').textContent = text;
  $('status').dataset.state = s;
  state.state = s;
}

function showCode() {
  const keras = $('api').value === 'keras';
  $('code-title').textContent = keras ? 'Keras-like' : 'PyTorch-like';
  $('code').textContent = (keras ? trainKeras : trainTorch).toString();
}

async function loadDigits() {
  const bytes = new Uint8Array(await (await fetch('data/mnist.bin')).arrayBuffer());
  const n = new DataView(bytes.buffer).getUint32(0, true);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[4 + i] / 255;
  return { n, pixels, labels: Int32Array.from(bytes.subarray(4 + n * 784, 4 + n * 785)) };
}

async function train() {
  $('train').disabled = true;
  predict = null;
  chart.reset();
  try {
    setStatus('initialising…', 'running');
    $('backend-name').textContent = await wg.init({ backend: $('backend').value });
    const nTrain = Math.min(Number($('train-size').value), digits.n - TEST);
    const epochs = Number($('epochs').value);
    const start = digits.n - TEST;
    const data = {
      x: wg.tensor(digits.pixels.subarray(0, nTrain * 784), [nTrain, 784]), y: wg.tensor(digits.labels.subarray(0, nTrain), [nTrain]),
      xTest: wg.tensor(digits.pixels.subarray(start * 784), [TEST, 784]), yTest: wg.tensor(digits.labels.subarray(start), [TEST]),
    };
    const t0 = performance.now();
    let seen = 0;
    const report = {
      batch(loss, acc) {
        chart.addBatch(loss, acc);
        seen += 64;
        state.samplesPerSecond = Math.round(Math.min(seen, nTrain * epochs) / ((performance.now() - t0) / 1000));
        $('samples-per-s').textContent = state.samplesPerSecond.toLocaleString();
      },
      epoch(e, testAccuracy) {
        $('epoch').textContent = `${e + 1} / ${epochs}`;
        chart.addEpoch(testAccuracy);
        $('test-accuracy').textContent = `${(100 * testAccuracy).toFixed(2)}% after epoch ${e + 1}`;
      },
    };
    setStatus('training…', 'running');
    const fn = $('api').value === 'keras' ? trainKeras : trainTorch;
    predict = await fn(wg, data, $('model').value, epochs, report);
    Object.values(data).forEach((t) => t.dispose());
    setStatus('testing…', 'running');
    state.testAccuracy = await testAccuracy();
    $('test-accuracy').textContent = `${(100 * state.testAccuracy).toFixed(2)}%`;
    setStatus(`done · ${wg.memory().numTensors} live tensors`, 'done');
  } catch (e) {
    state.error = String(e?.stack ?? e);
    setStatus(`error: ${e.message}`, 'error');
  } finally {
    $('train').disabled = false;
  }
}

async function testAccuracy() {
  const start = digits.n - TEST;
  const x = wg.tensor(digits.pixels.subarray(start * 784), [TEST, 784]);
  const probs = predict(x);
  const best = probs.argmax(-1);
  const guesses = await best.data();
  for (const t of [x, probs, best]) t.dispose();
  let right = 0;
  for (let i = 0; i < TEST; i++) if (guesses[i] === digits.labels[start + i]) right++;
  return right / TEST;
}

// ---- drawing and predicting -----------------------------------------------------------------
const canvas = $('draw');
const ink = canvas.getContext('2d');
ink.lineWidth = 16;
ink.lineCap = ink.lineJoin = 'round';
ink.strokeStyle = '#fff';
let drawing = false;
canvas.addEventListener('pointerdown', (e) => { drawing = true; ink.beginPath(); ink.moveTo(e.offsetX, e.offsetY); });
canvas.addEventListener('pointermove', (e) => { if (drawing) { ink.lineTo(e.offsetX, e.offsetY); ink.stroke(); } });
canvas.addEventListener('pointerup', () => { drawing = false; predictCanvas(); });
$('clear').onclick = () => { ink.clearRect(0, 0, canvas.width, canvas.height); $('prediction').textContent = '–'; $('probs').textContent = ''; };

let shown = 0;
$('sample').onclick = () => {
  const index = digits.n - TEST + (shown++ % TEST);
  const small = new ImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = digits.pixels[index * 784 + p] * 255;
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
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
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
  pixels.forEach((v, p) => { mass += v; cx += v * (p % 28); cy += v * Math.floor(p / 28); });
  if (mass === 0) return pixels;
  const [dx, dy] = [Math.round(14 - cx / mass), Math.round(14 - cy / mass)];
  const shifted = new Float32Array(784);
  pixels.forEach((v, p) => {
    const [x, y] = [(p % 28) + dx, Math.floor(p / 28) + dy];
    if (x >= 0 && x < 28 && y >= 0 && y < 28) shifted[y * 28 + x] = v;
  });
  return shifted;
}

async function predictCanvas() {
  if (!predict) { $('prediction').textContent = 'train a model first'; return; }
  const x = wg.tensor(mnistPixels(canvas), [1, 784]);
  const probs = predict(x);
  const p = Array.from(await probs.data());
  x.dispose();
  probs.dispose();
  const best = p.indexOf(Math.max(...p));
  $('prediction').textContent = `${best} (${(100 * p[best]).toFixed(1)}%)`;
  $('prediction').dataset.count = String(++state.predictions);
  $('probs').innerHTML = p.map((v, d) => `<div>${d} <span class="bar" style="width:${Math.round(120 * v)}px"></span> ${(100 * v).toFixed(1)}%</div>`).join('');
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
  if (params.get('autorun') === '1') await train();
} catch (e) {
  state.error = String(e?.stack ?? e);
  setStatus(`error: ${e.message}`, 'error');
}
