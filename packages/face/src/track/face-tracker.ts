// Faces in a video, fast enough for a live camera (browser-safe). The paper's full scan of a
// 640x480 frame costs about 20 ms even in WebAssembly (OpenCV's arithmetic, every window), so
// this scans a small copy of the frame now and then to find new faces, and in between runs the
// paper's detector only at the sizes and places around each known face (detectFacesNear): the
// paper's exact box for that face, at a fraction of the cost. Where that finds nothing (a
// faded or turned face), a looser look at a scaled-down patch keeps following the face.
import { clampBox, grayCrop, resizeBilinear, toGray, type FaceBox, type GrayImage, type ImageLike } from "@microexp/infer";
import type { Cascade } from "../cascade/compile.js";
import { detectFaces } from "../detect/detect-faces.js";
import { detectFacesNear } from "../detect/detect-near.js";
import { PAPER_DETECT_OPTIONS } from "../paper-face.js";

export interface TrackerOptions {
  /** Long side, in pixels, of the reduced frame the full scan for new faces runs on. */
  readonly searchSize: number;
  /** A full scan runs every this many frames (and on every frame while no face is known). */
  readonly searchEvery: number;
  /** Side, in pixels, a known face is scaled to when the paper's detector misses it and a looser look follows it. */
  readonly faceSize: number;
  /** How far around its last box the looser look searches, as a fraction of the box's side. */
  readonly margin: number;
  /** Frames a known face may go unseen (keeping its last box) before it is dropped. */
  readonly patience: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = Object.freeze({
  searchSize: 200,
  searchEvery: 10,
  faceSize: 64,
  margin: 0.5,
  patience: 2,
});

/** A face followed from frame to frame; `id` stays the same while it is followed. */
export interface TrackedFace {
  readonly id: number;
  readonly box: FaceBox;
  /**
   * True when `box` is the paper's detector's box for this face in this frame (what
   * detectFaces with PAPER_DETECT_OPTIONS returns for it); false when the looser look found
   * it, or it went unseen and keeps its last box.
   */
  readonly exact: boolean;
}

interface Track {
  id: number;
  box: FaceBox;
  exact: boolean;
  misses: number;
}

interface Sighting {
  box: FaceBox;
  exact: boolean;
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
    const { searchSize, searchEvery, faceSize, margin, patience } = this.options;
    const minimum = Math.max(cascade.windowWidth, cascade.windowHeight);
    if (!(searchSize >= minimum)) throw new RangeError(`FaceTracker: searchSize must be at least the cascade's window (${minimum}), got ${searchSize}`);
    if (!(faceSize >= minimum)) throw new RangeError(`FaceTracker: faceSize must be at least the cascade's window (${minimum}), got ${faceSize}`);
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
    const gray = toGray(image);
    const newcomers = new Set<Track>();
    if (this.tracks.length === 0 || this.frame % this.options.searchEvery === 0) {
      for (const found of this.search(gray)) {
        if (this.tracks.some((t) => overlap(t.box, found) > SAME_FACE)) continue;
        // The reduced scan finds faces in textures too: a newcomer must be the paper detector's.
        const confirmed = this.paperBox(gray, found);
        if (confirmed) {
          const track = { id: this.nextId++, box: confirmed, exact: true, misses: 0 };
          this.tracks.push(track);
          newcomers.add(track);
        }
      }
    }
    this.frame++;
    const kept: Track[] = [];
    for (const track of this.tracks) {
      // A newcomer's box is this frame's already.
      const seen: Sighting | null = newcomers.has(track) ? track : this.follow(gray, track.box);
      if (seen) {
        track.box = seen.box;
        track.exact = seen.exact;
        track.misses = 0;
      } else {
        track.exact = false;
        track.misses++;
      }
      // Two tracks that drifted onto one face become one (the older stays).
      if (track.misses <= this.options.patience && !kept.some((k) => overlap(k.box, track.box) > SAME_FACE)) kept.push(track);
    }
    this.tracks = kept;
    return kept.map(({ id, box, exact }) => ({ id, box, exact }));
  }

  /** A full scan of a reduced copy of the frame; loose settings, since paperBox() checks each find. */
  private search(gray: GrayImage): FaceBox[] {
    const scale = Math.min(1, this.options.searchSize / Math.max(gray.width, gray.height));
    const small = scale < 1 ? resizeBilinear(gray, Math.max(1, Math.round(gray.width * scale)), Math.max(1, Math.round(gray.height * scale))) : gray;
    return detectFaces(small, this.cascade, { scaleFactor: 1.2, minNeighbors: 3 }).map((d) =>
      roundBox({ x: d.x / scale, y: d.y / scale, width: d.width / scale, height: d.height / scale }),
    );
  }

  /** The part of the frame around `box`, gray, scaled so that the box's side becomes `size` pixels. */
  private around(gray: GrayImage, box: FaceBox, size: number): { patch: GrayImage; toFrame: (found: FaceBox) => FaceBox } | null {
    const { margin } = this.options;
    let region: FaceBox;
    try {
      region = clampBox(
        { x: box.x - margin * box.width, y: box.y - margin * box.height, width: box.width * (1 + 2 * margin), height: box.height * (1 + 2 * margin) },
        gray.width,
        gray.height,
      );
    } catch {
      return null; // the face left the frame
    }
    const scale = size / box.width;
    const patch = resizeBilinear(grayCrop(gray, region), Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale)));
    const sx = region.width / patch.width, sy = region.height / patch.height;
    return { patch, toFrame: (f) => roundBox({ x: region.x + f.x * sx, y: region.y + f.y * sy, width: f.width * sx, height: f.height * sy }) };
  }

  /** The paper detector's box for the face about at `box`, or null when it finds none there. */
  private paperBox(gray: GrayImage, box: FaceBox): FaceBox | null {
    let best: FaceBox | null = null;
    for (const { x, y, width, height } of detectFacesNear(gray, this.cascade, box, PAPER_DETECT_OPTIONS)) {
      const found = { x, y, width, height };
      if (overlap(found, box) > SAME_FACE && (!best || overlap(found, box) > overlap(best, box))) best = found;
    }
    return best;
  }

  /** A known face in its new place: the paper detector's box near its last one, else a looser look. */
  private follow(gray: GrayImage, box: FaceBox): Sighting | null {
    const exact = this.paperBox(gray, box);
    if (exact) return { box: exact, exact: true };
    const { faceSize } = this.options;
    const near = this.around(gray, box, faceSize);
    if (!near) return null;
    const min = Math.floor(faceSize / 1.4), max = Math.ceil(faceSize * 1.4);
    const found = detectFaces(near.patch, this.cascade, {
      scaleFactor: 1.1,
      minNeighbors: FOLLOW_NEIGHBORS,
      minSize: { width: min, height: min },
      maxSize: { width: max, height: max },
    });
    if (found.length === 0) return null;
    return { box: near.toFrame(found.reduce((a, b) => (b.neighbors > a.neighbors ? b : a))), exact: false };
  }
}
