/**
 * Marks every instance of `type` (and of its subclasses) with a registered symbol, and returns the check for it,
 * for the class's static `isXxx` method (jsii wants the static on each class; its body calls this check).
 *
 * As aws-cdk-lib's `Stack.isStack`: `instanceof` is false for an object from another loaded copy of this library (two
 * versions in one `node_modules` tree), while `Symbol.for` returns the same symbol in every copy. The mark is on the
 * prototype, so constructors need nothing.
 */
export function markClass(type: abstract new (...args: any[]) => object, name: string): (x: unknown) => boolean {
  const mark = Symbol.for(`cdk-ivs-realtime.${name}`);
  Object.defineProperty(type.prototype, mark, { value: true });
  return (x) => typeof x === 'object' && x !== null && mark in x;
}
