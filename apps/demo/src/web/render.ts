// Drawing a result: the analysed picture with a box and a label on each face, and the list of
// faces with a bar per expression.
import type { LabelledFace } from "../analyze.js";

const BOX_COLOR = "#1fdd6b";

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** Paints `image` on the canvas (resized to it) with every face's box and top label. */
export function drawResult(canvas: HTMLCanvasElement, image: ImageBitmap, faces: readonly LabelledFace[]): void {
  if (canvas.width !== image.width || canvas.height !== image.height) {
    canvas.width = image.width;
    canvas.height = image.height;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("this browser gives no 2D canvas");
  ctx.drawImage(image, 0, 0);
  // Lines and text keep the same size on screen whatever the picture's resolution.
  const unit = Math.max(1, Math.max(image.width, image.height) / 640);
  ctx.lineWidth = 2 * unit;
  ctx.font = `bold ${Math.round(15 * unit)}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  faces.forEach((face, i) => {
    const { x, y, width, height } = face.box;
    ctx.strokeStyle = BOX_COLOR;
    ctx.strokeRect(x, y, width, height);
    const text = `${faces.length > 1 ? `${i + 1}. ` : ""}${face.label} ${percent(face.probability)}`;
    const pad = 3 * unit;
    const tagHeight = Math.round(15 * unit) + 2 * pad;
    const tagWidth = ctx.measureText(text).width + 2 * pad;
    // Above the box when there is room, else inside its top edge.
    const tagY = y - tagHeight >= 0 ? y - tagHeight : y;
    ctx.fillStyle = BOX_COLOR;
    ctx.fillRect(x - ctx.lineWidth / 2, tagY, tagWidth, tagHeight);
    ctx.fillStyle = "#000";
    ctx.fillText(text, x + pad, tagY + pad);
    // A probability bar along the bottom of the box.
    ctx.fillStyle = "rgba(0, 0, 0, 0.5)";
    ctx.fillRect(x, y + height - 6 * unit, width, 6 * unit);
    ctx.fillStyle = BOX_COLOR;
    ctx.fillRect(x, y + height - 6 * unit, width * face.probability, 6 * unit);
  });
}

/** Fills the list with one item per face: its box and a bar per expression. */
export function listFaces(list: HTMLOListElement, faces: readonly LabelledFace[]): void {
  const items = faces.map((face) => {
    const item = document.createElement("li");
    const { x, y, width, height } = face.box;
    item.dataset.label = face.label;
    item.dataset.probability = face.probability.toFixed(4);
    item.dataset.box = [x, y, width, height].join(",");
    const title = document.createElement("strong");
    title.textContent = `${face.label} ${percent(face.probability)}`;
    const where = document.createElement("small");
    where.textContent = ` at ${x},${y} ${width}×${height}`;
    const bars = document.createElement("div");
    bars.className = "bars";
    for (const { label, probability } of face.scores) {
      const name = document.createElement("span");
      name.textContent = label;
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${(probability * 100).toFixed(1)}%`;
      const value = document.createElement("span");
      value.textContent = percent(probability);
      if (label === face.label) name.className = value.className = "top";
      bars.append(name, bar, value);
    }
    item.append(title, where, bars);
    return item;
  });
  list.replaceChildren(...items);
  list.dataset.count = String(faces.length);
}
