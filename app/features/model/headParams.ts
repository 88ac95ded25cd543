/** Weights and biases of a dense softmax head on `featureSize` features. */
export function headParams(featureSize: number, classes: number): number {
  return (featureSize + 1) * classes;
}
