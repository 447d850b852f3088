// What the console needs of the browser beyond fetch: the till's key in IndexedDB (a
// non-extractable WebCrypto P-256 key: its private half never leaves the browser), speech,
// and saving a file.

const DB = "saifu-console";
const STORE = "till";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
}

export async function load_till() {
  return (await run("readonly", (store) => store.get("till"))) ?? null;
}

export async function save_till(key, till_id, shop) {
  await run("readwrite", (store) => store.put({ key, till_id, shop }, "till"));
}

export async function forget_till() {
  await run("readwrite", (store) => store.delete("till"));
}

export async function new_key() {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
}

export async function public_key_raw(key) {
  return new Uint8Array(await crypto.subtle.exportKey("raw", key.publicKey));
}

// r || s, 64 bytes, as the service's signatures are.
export async function sign(key, bytes) {
  return new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, bytes));
}

export function speak(text, lang) {
  if (!("speechSynthesis" in window)) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  speechSynthesis.speak(utterance);
}

export function save_file(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
