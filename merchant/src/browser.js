// What the console needs of the browser beyond fetch: the till's key in IndexedDB (a
// non-extractable WebCrypto P-256 key: its private half never leaves the browser), speech,
// saving a file, and the camera's frames as greyscale for the scanner.

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

// The back camera (a laptop's only one) into `video`.
export async function camera_start(video) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
}

export function camera_stop(video) {
  const stream = video && video.srcObject;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  if (video) video.srcObject = null;
}

const canvas = document.createElement("canvas");

// The frame on screen now as greyscale bytes (BT.601 weights), with its size; null before
// the first frame arrives.
export function camera_frame(video) {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (!width || !height) return null;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, width, height);
  const rgba = context.getImageData(0, 0, width, height).data;
  const grey = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < grey.length; i += 4, j += 1) {
    grey[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
  }
  return { width, height, grey };
}
