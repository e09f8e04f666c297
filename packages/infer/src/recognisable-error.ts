/**
 * Makes `error instanceof ErrorClass` true for errors made by any copy of the class: an app
 * can load a package's ES module and its CommonJS build side by side (or two installed
 * versions), each with its own class object. The check is a global symbol, not the class.
 * Only for classes without subclasses (the check does not tell a subclass from its parent).
 */
export function recogniseAcrossCopies(errorClass: abstract new (...args: never[]) => Error, key: string): void {
  const brand = Symbol.for(key);
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  Object.defineProperty(errorClass, Symbol.hasInstance, {
    value: (value: unknown) => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true,
  });
}
