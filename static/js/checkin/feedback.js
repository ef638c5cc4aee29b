// Sound and vibration, so the answer is heard and felt in a noisy queue, not only seen.
// Green: a short rising chirp; amber: two level beeps; red: a long low buzz.

const TONES = {
  green: [
    { f: 880, t: 0, d: 0.09 },
    { f: 1320, t: 0.1, d: 0.12 },
  ],
  amber: [
    { f: 620, t: 0, d: 0.14 },
    { f: 620, t: 0.22, d: 0.14 },
  ],
  red: [{ f: 180, t: 0, d: 0.5, type: "square" }],
};
const VIBRATION = { green: [90], amber: [120, 90, 120], red: [400, 120, 400] };

export class Feedback {
  constructor() {
    this.context = null;
    this.muted = false;
  }

  /** Audio may start only after a user gesture: call this from one (a tap or a key). */
  unlock() {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) return;
    if (!this.context) this.context = new AudioContext();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
  }

  play(colour) {
    if (navigator.vibrate) {
      try {
        navigator.vibrate(VIBRATION[colour] || 0);
      } catch {
        /* not allowed yet */
      }
    }
    const ctx = this.context;
    if (this.muted || !ctx || ctx.state !== "running") return;
    const start = ctx.currentTime + 0.01;
    for (const tone of TONES[colour] || []) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = tone.type || "sine";
      osc.frequency.value = tone.f;
      // Short ramps: no clicks at the edges.
      gain.gain.setValueAtTime(0.0001, start + tone.t);
      gain.gain.exponentialRampToValueAtTime(0.35, start + tone.t + 0.01);
      gain.gain.setValueAtTime(0.35, start + tone.t + tone.d - 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.t + tone.d);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + tone.t);
      osc.stop(start + tone.t + tone.d + 0.02);
    }
  }
}
