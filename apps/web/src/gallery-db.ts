/**
 * The gallery, kept in IndexedDB: one record per person, with every embedding enrolled.
 */
export interface Person {
  name: string;
  embeddings: number[][];
}

const DB = 'likeness-gallery';
const STORE = 'people';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function run<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = body(tx.objectStore(STORE));
        tx.oncomplete = () => (db.close(), resolve(req.result));
        tx.onerror = () => (db.close(), reject(tx.error));
      }),
  );
}

export function listPeople(): Promise<Person[]> {
  return run('readonly', (s) => s.getAll() as IDBRequest<Person[]>);
}

/** Adds one embedding to a person (created if new), in one transaction. */
export async function enrol(name: string, embedding: ArrayLike<number>): Promise<Person> {
  const people = await listPeople();
  const person = people.find((p) => p.name === name) ?? { name, embeddings: [] };
  person.embeddings.push(Array.from(embedding));
  await run('readwrite', (s) => s.put(person));
  return person;
}

export function clearGallery(): Promise<undefined> {
  return run('readwrite', (s) => s.clear() as IDBRequest<undefined>);
}
