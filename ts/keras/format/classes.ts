// The layer classes of the TF.js Layers format webgrad reads: each class name (as TF.js 4.22 and
// Keras write it, with Keras's aliases) and the factory that makes it. Writing uses the class name
// a layer was made with, so every factory's class name is a key here.
import * as layers from '../layers.js';
import type { LayerSpec } from '../layers.js';

// Options come from the file: the factory checks every one of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Factory = (options: any) => LayerSpec;

const CLASSES: [string, Factory][] = [
  ['Dense', layers.dense],
  ['Conv2D', layers.conv2d],
  ['Conv1D', layers.conv1d],
  ['DepthwiseConv2D', layers.depthwiseConv2d],
  ['SeparableConv2D', layers.separableConv2d],
  ['Conv2DTranspose', layers.conv2dTranspose],
  ['MaxPooling2D', layers.maxPooling2d],
  ['AveragePooling2D', layers.averagePooling2d],
  ['MaxPooling1D', layers.maxPooling1d],
  ['AveragePooling1D', layers.averagePooling1d],
  ['GlobalAveragePooling2D', layers.globalAveragePooling2d],
  ['GlobalMaxPooling2D', layers.globalMaxPooling2d],
  ['GlobalAveragePooling1D', layers.globalAveragePooling1d],
  ['GlobalMaxPooling1D', layers.globalMaxPooling1d],
  ['Flatten', layers.flatten],
  ['Reshape', layers.reshape],
  ['Permute', layers.permute],
  ['RepeatVector', layers.repeatVector],
  ['Dropout', layers.dropout],
  ['BatchNormalization', layers.batchNormalization],
  ['LayerNormalization', layers.layerNormalization],
  ['Embedding', layers.embedding],
  ['Activation', layers.activation],
  ['ReLU', layers.reLU],
  ['LeakyReLU', layers.leakyReLU],
  ['PReLU', layers.prelu],
  ['ELU', layers.elu],
  ['Softmax', layers.softmax],
  ['ThresholdedReLU', layers.thresholdedReLU],
  ['ZeroPadding2D', layers.zeroPadding2d],
  ['Cropping2D', layers.cropping2D],
  ['UpSampling2D', layers.upSampling2d],
  ['Rescaling', layers.rescaling],
  ['Add', layers.add],
  ['Subtract', layers.subtract],
  ['Multiply', layers.multiply],
  ['Average', layers.average],
  ['Maximum', layers.maximum],
  ['Minimum', layers.minimum],
  ['Concatenate', layers.concatenate],
  ['Dot', layers.dot],
];

/** Keras's other names of the same classes. */
const ALIASES: [string, string][] = [
  ['MaxPool2D', 'MaxPooling2D'],
  ['AvgPool2D', 'AveragePooling2D'],
  ['MaxPool1D', 'MaxPooling1D'],
  ['AvgPool1D', 'AveragePooling1D'],
  ['GlobalAvgPool2D', 'GlobalAveragePooling2D'],
  ['GlobalMaxPool2D', 'GlobalMaxPooling2D'],
  ['GlobalAvgPool1D', 'GlobalAveragePooling1D'],
  ['GlobalMaxPool1D', 'GlobalMaxPooling1D'],
  ['Convolution2D', 'Conv2D'],
  ['Convolution1D', 'Conv1D'],
  ['Convolution2DTranspose', 'Conv2DTranspose'],
  ['SeparableConvolution2D', 'SeparableConv2D'],
];

const FACTORIES = new Map<string, Factory>(CLASSES);
for (const [alias, name] of ALIASES) FACTORIES.set(alias, FACTORIES.get(name)!);

/** The model classes: a functional model (TF.js writes `Model`, Keras 3 `Functional`) and `Sequential`. */
export const MODEL_CLASSES = ['Model', 'Functional', 'Sequential'] as const;

/** The factory of layer class `className`, if webgrad has it. */
export const factoryOf = (className: string): Factory | undefined => FACTORIES.get(className);

/** Every layer class name webgrad reads (aliases included), for error messages and docs. */
export const layerClassNames = (): string[] => [...FACTORIES.keys()];
