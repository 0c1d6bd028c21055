// Loss modules (PyTorch's nn.*Loss): call `forward(input, target)`.
import { Tensor } from '../tensor.js';
import { Module } from './module.js';
import * as F from './functional.js';

/** The base of the loss modules: the options (`reduction`, and `delta` for Huber) are checked at construction. */
abstract class Loss<O extends F.LossOptions = F.LossOptions> extends Module {
  protected readonly options: O;
  constructor(options?: O) {
    super();
    F.lossOptions(new.target.name, options);
    this.options = { ...(options ?? {}) } as O;
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * Cross-entropy of logits and class indices (or probabilities).
 *
 * @example
 * ```ts
 * const criterion = new nn.CrossEntropyLoss();
 * const loss = criterion.forward(net.forward(x), labels);
 * loss.backward();
 * ```
 */
export class CrossEntropyLoss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.crossEntropy(i, t, this.options);
  }
}
export class NLLLoss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.nllLoss(i, t, this.options);
  }
}
export class MSELoss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.mseLoss(i, t, this.options);
  }
}
export class L1Loss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.l1Loss(i, t, this.options);
  }
}
export class BCELoss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.binaryCrossEntropy(i, t, this.options);
  }
}
export class BCEWithLogitsLoss extends Loss {
  forward(i: Tensor, t: Tensor) {
    return F.binaryCrossEntropyWithLogits(i, t, this.options);
  }
}
/** Huber loss with `delta` (default 1.0) and `reduction`. */
export class HuberLoss extends Loss<F.LossOptions & { delta?: number }> {
  forward(i: Tensor, t: Tensor) {
    return F.huberLoss(i, t, this.options);
  }
}
