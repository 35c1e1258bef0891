/**
 * Minimal Reflect metadata polyfill so @peculiar/x509 (via tsyringe) loads in
 * tests without the reflect-metadata package. Test-only.
 */
type Key = unknown;
type Prop = string | symbol | undefined;
const store = new WeakMap<object, Map<Prop, Map<Key, unknown>>>();

function own(target: object, prop: Prop, create: boolean): Map<Key, unknown> | undefined {
  let byProp = store.get(target);
  if (byProp === undefined) {
    if (!create) return undefined;
    byProp = new Map();
    store.set(target, byProp);
  }
  let m = byProp.get(prop);
  if (m === undefined && create) {
    m = new Map();
    byProp.set(prop, m);
  }
  return m;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const defineMetadata = (key: Key, value: unknown, target: object, prop?: Prop): void => {
    own(target, prop, true)!.set(key, value);
  };
  const getOwnMetadata = (key: Key, target: object, prop?: Prop): unknown => own(target, prop, false)?.get(key);
  const getMetadata = (key: Key, target: object, prop?: Prop): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const m = own(t, prop, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  R.defineMetadata = defineMetadata;
  R.getOwnMetadata = getOwnMetadata;
  R.getMetadata = getMetadata;
  R.hasMetadata = (key: Key, target: object, prop?: Prop): boolean => getMetadata(key, target, prop) !== undefined;
  R.hasOwnMetadata = (key: Key, target: object, prop?: Prop): boolean => own(target, prop, false)?.has(key) ?? false;
  R.metadata =
    (key: Key, value: unknown) =>
    (target: object, prop?: Prop): void =>
      defineMetadata(key, value, target, prop);
}

export {};
