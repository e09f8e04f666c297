// Faces in a video, fast enough for a live camera (browser-safe). The paper's full scan of a
// 640x480 frame costs about 20 ms even in WebAssembly (OpenCV's arithmetic, every window), so
// this scans a small copy of the frame now and then to find new faces, and in between looks
// for each known face only near its last place, scaled down to a few dozen pixels, reading
// only those pixels of the frame: about a millisecond per face.
import { clampBox, grayCrop, resizeBilinear, toGray, type FaceBox, type GrayImage, type ImageLike } from "@microexp/infer";
import type { Cascade } from "../cascade/compile.js";
import { detectFaces } from "../detect/detect-faces.js";
import { PAPER_DETECT_OPTIONS } from "../paper-face.js";

export interface TrackerOptions {
  /** Long side, in pixels, of the reduced frame the full scan for new faces runs on. */
  readonly searchSize: number;
  /** A full scan runs every this many frames (and on every frame while no face is known). */
  readonly searchEvery: number;
  /** Side, in pixels, a known face is scaled to before it is looked for again. */
  readonly faceSize: number;
  /** Side, in pixels, a newly found face is scaled to for the closer look that confirms it. */
  readonly confirmSize: number;
  /** How far around its last box a face is looked for, as a fraction of the box's side. */
  readonly margin: number;
  /** Frames a known face may go unseen (keeping its last box) before it is dropped. */
  readonly patience: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = Object.freeze({
  searchSize: 200,
  searchEvery: 10,
  faceSize: 64,
  confirmSize: 96,
  margin: 0.5,
  patience: 2,
});

/** A face followed from frame to frame; `id` stays the same while it is followed. */
export interface TrackedFace {
  readonly id: number;
  readonly box: FaceBox;
}

interface Track {
  id: number;
  box: FaceBox;
  misses: number;
}

/** Raw detections a known face needs (beyond its own) to be followed. */
const FOLLOW_NEIGHBORS = 3;

/** Boxes overlapping by more than this (intersection over union) are the same face. */
const SAME_FACE = 0.3;

export function overlap(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

function roundBox(b: FaceBox): FaceBox {
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
}

export class FaceTracker {
  readonly options: TrackerOptions;
  private tracks: Track[] = [];
  private frame = 0;
  private nextId = 1;

  constructor(
    private readonly cascade: Cascade,
    options: Partial<TrackerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    const { searchSize, searchEvery, faceSize, confirmSize, margin, patience } = this.options;
    const minimum = Math.max(cascade.windowWidth, cascade.windowHeight);
    if (!(searchSize >= minimum)) throw new RangeError(`FaceTracker: searchSize must be at least the cascade's window (${minimum}), got ${searchSize}`);
    for (const [name, size] of [["faceSize", faceSize], ["confirmSize", confirmSize]] as const) {
      if (!(size >= minimum)) throw new RangeError(`FaceTracker: ${name} must be at least the cascade's window (${minimum}), got ${size}`);
    }
    if (!Number.isInteger(searchEvery) || searchEvery < 1) throw new RangeError(`FaceTracker: searchEvery must be a whole number of frames >= 1, got ${searchEvery}`);
    if (!(margin >= 0)) throw new RangeError(`FaceTracker: margin must be >= 0, got ${margin}`);
    if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`FaceTracker: patience must be a whole number >= 0, got ${patience}`);
  }

  /** Forgets every face (call it when the video source changes). */
  reset(): void {
    this.tracks = [];
    this.frame = 0;
  }

  /** The faces in the next frame (RGBA, RGB or gray), in the frame's pixels, oldest face first. */
  update(image: ImageLike): TrackedFace[] {
    const newcomers = new Set<Track>();
    if (this.tracks.length === 0 || this.frame % this.options.searchEvery === 0) {
      for (const found of this.search(toGray(image))) {
        if (this.tracks.some((t) => overlap(t.box, found) > SAME_FACE)) continue;
        // The reduced scan finds faces in textures too: a newcomer must pass a closer look.
        const confirmed = this.confirm(image, found);
        if (confirmed) {
          const track = { id: this.nextId++, box: confirmed, misses: 0 };
          this.tracks.push(track);
          newcomers.add(track);
        }
      }
    }
    this.frame++;
    const kept: Track[] = [];
    for (const track of this.tracks) {
      // A newcomer's box is this frame's already (confirm() looked closer than follow() would).
      const seen = newcomers.has(track) ? track.box : this.follow(image, track.box);
      if (seen) {
        track.box = seen;
        track.misses = 0;
      } else {
        track.misses++;
      }
      // Two tracks that drifted onto one face become one (the older stays).
      if (track.misses <= this.options.patience && !kept.some((k) => overlap(k.box, track.box) > SAME_FACE)) kept.push(track);
    }
    this.tracks = kept;
    return kept.map(({ id, box }) => ({ id, box }));
  }

  /** A full scan of a reduced copy of the frame; loose settings, since confirm() checks each find. */
  private search(gray: GrayImage): FaceBox[] {
    const scale = Math.min(1, this.options.searchSize / Math.max(gray.width, gray.height));
    const small = scale < 1 ? resizeBilinear(gray, Math.max(1, Math.round(gray.width * scale)), Math.max(1, Math.round(gray.height * scale))) : gray;
    return detectFaces(small, this.cascade, { scaleFactor: 1.3, minNeighbors: 3 }).map((d) =>
      roundBox({ x: d.x / scale, y: d.y / scale, width: d.width / scale, height: d.height / scale }),
    );
  }

  /** The part of the frame around `box`, gray, scaled so that the box's side becomes `size` pixels. */
  private around(image: ImageLike, box: FaceBox, size: number): { patch: GrayImage; toFrame: (found: FaceBox) => FaceBox } | null {
    const { margin } = this.options;
    let region: FaceBox;
    try {
      region = clampBox(
        { x: box.x - margin * box.width, y: box.y - margin * box.height, width: box.width * (1 + 2 * margin), height: box.height * (1 + 2 * margin) },
        image.width,
        image.height,
      );
    } catch {
      return null; // the face left the frame
    }
    const scale = size / box.width;
    const patch = resizeBilinear(grayCrop(image, region), Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale)));
    const sx = region.width / patch.width, sy = region.height / patch.height;
    return { patch, toFrame: (f) => roundBox({ x: region.x + f.x * sx, y: region.y + f.y * sy, width: f.width * sx, height: f.height * sy }) };
  }

  /** A newly found face, checked with the paper's detector settings at confirmSize; null if not a face. */
  private confirm(image: ImageLike, box: FaceBox): FaceBox | null {
    const near = this.around(image, box, this.options.confirmSize);
    if (!near) return null;
    // A box can overlap one of side confirmSize by more than SAME_FACE only if its side is
    // above sqrt(SAME_FACE) * confirmSize (0.55x), so smaller windows are not scanned: that
    // halves the cost of a confirmation (a group of windows can still chain across scales, so
    // this is the paper's detector on the big windows only, not bit for bit its result).
    const min = Math.floor(this.options.confirmSize / 2);
    let best: FaceBox | null = null;
    for (const found of detectFaces(near.patch, this.cascade, { ...PAPER_DETECT_OPTIONS, minSize: { width: min, height: min } })) {
      const candidate = near.toFrame(found);
      if (overlap(candidate, box) > SAME_FACE && (!best || overlap(candidate, box) > overlap(best, box))) best = candidate;
    }
    return best;
  }

  /** A known face in its new place: looked for near its last box, at about its last size. */
  private follow(image: ImageLike, box: FaceBox): FaceBox | null {
    const { faceSize } = this.options;
    const near = this.around(image, box, faceSize);
    if (!near) return null;
    const min = Math.floor(faceSize / 1.4), max = Math.ceil(faceSize * 1.4);
    const found = detectFaces(near.patch, this.cascade, {
      scaleFactor: 1.1,
      minNeighbors: FOLLOW_NEIGHBORS,
      minSize: { width: min, height: min },
      maxSize: { width: max, height: max },
    });
    if (found.length === 0) return null;
    return near.toFrame(found.reduce((a, b) => (b.neighbors > a.neighbors ? b : a)));
  }
}
