// A small live chart: per-batch loss and accuracy as lines, per-epoch test accuracy as dots.
export class Chart {
  constructor(canvas) {
    this.canvas = canvas;
    this.reset();
  }

  reset() {
    this.batches = [];
    this.epochs = [];
    this.canvas.dataset.points = this.canvas.dataset.epochs = '0';
    this.draw();
  }

  addBatch(loss, acc) {
    this.batches.push([loss, acc]);
    this.canvas.dataset.points = String(this.batches.length);
    if (this.batches.length % 4 === 1) this.draw();
  }

  addEpoch(testAccuracy) {
    this.epochs.push([this.batches.length, testAccuracy]);
    this.canvas.dataset.epochs = String(this.epochs.length);
    this.draw();
  }

  draw() {
    const { canvas } = this;
    // A CPU canvas: an accelerated one waits on the GPU process, which training keeps busy (it
    // stalled the page for up to half a second in headless Chromium on SwiftShader).
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const [w, h, pad] = [canvas.width, canvas.height, 24];
    g.clearRect(0, 0, w, h);
    g.strokeStyle = '#ccd3e0';
    g.strokeRect(pad, 4, w - pad - 4, h - pad - 4);
    g.fillStyle = '#6b7385';
    g.font = '11px system-ui';
    g.fillText('1', 4, 12);
    g.fillText('0', 4, h - pad);
    g.fillText('batches →', w - 70, h - 6);
    const n = Math.max(this.batches.length, 1);
    const maxLoss = Math.max(2.5, ...this.batches.map((b) => b[0]));
    const x = (i) => pad + ((w - pad - 6) * i) / n;
    const y = (v) => h - pad - (h - pad - 6) * Math.min(Math.max(v, 0), 1);
    const line = (color, value) => {
      g.strokeStyle = color;
      g.beginPath();
      this.batches.forEach((b, i) => (i ? g.lineTo : g.moveTo).call(g, x(i), y(value(b))));
      g.stroke();
    };
    line('#3a6ff7', (b) => b[0] / maxLoss);
    line('#19a463', (b) => b[1]);
    g.fillStyle = '#e08a00';
    for (const [i, acc] of this.epochs) {
      g.beginPath();
      g.arc(x(i), y(acc), 4, 0, 2 * Math.PI);
      g.fill();
    }
  }
}
