// Continuous QR scanning with the rear camera: the browser's own BarcodeDetector where it
// has one (Android, macOS, ChromeOS), else the vendored barcode-detector ponyfill (ZXing-C++
// compiled to WebAssembly, served from this site like everything else).

const SCAN_INTERVAL_MS = 100;
// A code that stays in view is read once; it counts again once it has been out of view
// this long (the badge was taken away and shown again).
const GONE_AFTER_MS = 800;

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    return new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch {
    return null;
  }
}

async function vendoredDetector(moduleUrl, wasmUrl) {
  const { BarcodeDetector, prepareZXingModule } = await import(moduleUrl);
  // Never the package's default (a CDN): the .wasm comes from this site.
  await prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
    },
    fireImmediately: true,
  });
  return new BarcodeDetector({ formats: ["qr_code"] });
}

export class Camera {
  /**
   * video: the <video> element; onCode(text): called once per badge shown;
   * options.moduleUrl / options.wasmUrl: the vendored ponyfill and its .wasm.
   */
  constructor(video, onCode, options) {
    this.video = video;
    this.onCode = onCode;
    this.options = options;
    this.stream = null;
    this.detector = null;
    this.timer = null;
    this.lastCode = null;
    this.lastSeen = 0;
  }

  get running() {
    return this.stream !== null;
  }

  async detectorReady() {
    if (!this.detector) {
      this.detector =
        (await nativeDetector()) || (await vendoredDetector(this.options.moduleUrl, this.options.wasmUrl));
    }
    return this.detector;
  }

  /** Start the rear camera and scan until stop(); rejects with a message for the user. */
  async start() {
    if (this.running) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error("This browser cannot use the camera here (it needs https).");
    }
    let detector;
    try {
      detector = await this.detectorReady();
    } catch (error) {
      console.error("QR decoder unavailable", error);
      throw new Error("The QR decoder could not start in this browser: use a scanner or the search.");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      this.stream = null;
      if (error && error.name === "NotAllowedError") {
        throw new Error("Camera access was refused: allow it in the browser's site settings.");
      }
      if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
        throw new Error("No camera found: use a scanner or the search.");
      }
      throw new Error("The camera could not start: use a scanner or the search.");
    }
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.setAttribute("playsinline", "");
    await this.video.play().catch(() => {});
    this.schedule(detector);
  }

  schedule(detector) {
    this.timer = setTimeout(() => this.tick(detector), SCAN_INTERVAL_MS);
  }

  async tick(detector) {
    if (!this.running) return;
    if (this.video.readyState >= 2 && this.video.videoWidth > 0) {
      try {
        const codes = await detector.detect(this.video);
        const now = performance.now();
        const code = codes.find((c) => c.rawValue);
        if (code) {
          const text = code.rawValue.trim();
          const again = text === this.lastCode && now - this.lastSeen < GONE_AFTER_MS;
          this.lastCode = text;
          this.lastSeen = now;
          if (!again) this.onCode(text);
        }
      } catch (error) {
        console.warn("QR detection failed on a frame", error);
      }
    }
    if (this.running) this.schedule(detector);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.lastCode = null;
  }
}
