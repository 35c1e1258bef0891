/**
 * Minimal Reflect metadata polyfill so @peculiar/x509 (via tsyringe) loads
 * without the reflect-metadata package. Test-only; a no-op when another shim
 * already installed one.
 */
type Key = unknown;
type Prop = string | symbol | undefined;
const store = new WeakMap<object, Map<Prop, Map<Key, unknown>>>();

function bucket(target: object, prop: Prop, create: boolean): Map<Key, unknown> | undefined {
  let byProp = store.get(target);
  if (!byProp) {
    if (!create) return undefined;
    byProp = new Map();
    store.set(target, byProp);
  }
  let m = byProp.get(prop);
  if (!m && create) {
    m = new Map();
    byProp.set(prop, m);
  }
  return m;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const define = (key: Key, value: unknown, target: object, prop?: Prop): void => {
    bucket(target, prop, true)!.set(key, value);
  };
  const getOwn = (key: Key, target: object, prop?: Prop): unknown => bucket(target, prop, false)?.get(key);
  const get = (key: Key, target: object, prop?: Prop): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const m = bucket(t, prop, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  R.defineMetadata = define;
  R.getOwnMetadata = getOwn;
  R.getMetadata = get;
  R.hasMetadata = (key: Key, target: object, prop?: Prop): boolean => get(key, target, prop) !== undefined;
  R.hasOwnMetadata = (key: Key, target: object, prop?: Prop): boolean => bucket(target, prop, false)?.has(key) ?? false;
  R.metadata =
    (key: Key, value: unknown) =>
    (target: object, prop?: Prop): void =>
      define(key, value, target, prop);
}

export {};
