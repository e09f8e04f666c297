// The webcam: opens it, and hands its frames on as ImageBitmaps, each new frame once, with at
// most `maxInFlight` frames waiting for the worker (when it falls behind, frames are dropped
// rather than queued, so what is shown stays live).
import { RateMeter } from "./rate.js";

export interface CameraOptions {
  /** Called with each frame taken; call `done()` when the frame's result is back. */
  readonly onFrame: (frame: ImageBitmap) => void;
  readonly maxInFlight?: number;
}

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: () => void) => number;
};

export class Camera {
  private stream: MediaStream | null = null;
  private inFlight = 0;
  private lastTime = -1;
  private readonly maxInFlight: number;
  /** New frames the camera delivers per second. */
  readonly frameRate = new RateMeter();

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: CameraOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  get running(): boolean {
    return this.stream !== null;
  }

  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("this browser cannot open a camera here (it needs https or localhost)");
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 60 }, facingMode: "user" },
      audio: false,
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.inFlight = 0;
    this.lastTime = -1;
    this.frameRate.reset();
    this.schedule();
  }

  stop(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  /** The result of one frame came back: room for another. */
  done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  private schedule(): void {
    if (!this.stream) return;
    const video = this.video as FrameCallbackVideo;
    // requestVideoFrameCallback fires once per new camera frame; without it, poll each paint.
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => this.grab());
    else requestAnimationFrame(() => this.grab());
  }

  private grab(): void {
    if (!this.stream) return;
    const fresh = this.video.currentTime !== this.lastTime;
    if (fresh) this.frameRate.tick(performance.now());
    if (fresh && this.inFlight < this.maxInFlight && this.video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      this.lastTime = this.video.currentTime;
      this.inFlight++;
      createImageBitmap(this.video).then(
        (frame) => (this.stream ? this.options.onFrame(frame) : frame.close()),
        () => this.done(),
      );
    }
    this.schedule();
  }
}
