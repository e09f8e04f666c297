// @vladmandic/human's preprocessing of a face for its emotion model, step for step as its
// source does it (src/face/facemeshutil.ts cutAndResize, src/gear/emotion.ts predict).
// `tf` is passed in so that the test runs it on tfjs-core's CPU backend without the peers.

/** ITU-R 601 luma weights human uses (src/tfjs/constants.ts `rgb`). */
export const HUMAN_GRAY_WEIGHTS = Object.freeze([0.2989, 0.587, 0.114]);

/**
 * `face`: RGB 0..255 pixels of the face box ({ width, height, data }). Human first cuts the box
 * out of the frame to its mesh model's input size (cropAndResize, then / 255), then the emotion
 * model resizes that to its own input (resizeBilinear, no corner alignment), takes a weighted
 * gray and maps 0..1 to -1..1. Returns a [1, emotionSize, emotionSize, 1] tensor.
 */
export function humanEmotionInput(tf, face, meshSize, emotionSize) {
  return tf.tidy(() => {
    const image = tf.tensor4d(face.data, [1, face.height, face.width, 3], "float32");
    const cut = tf.image.cropAndResize(image, [[0, 0, 1, 1]], [0], [meshSize, meshSize]);
    const unit = tf.div(cut, 255);
    const resized = tf.image.resizeBilinear(unit, [emotionSize, emotionSize], false);
    const gray = tf.sum(tf.mul(resized, tf.tensor1d(HUMAN_GRAY_WEIGHTS, "float32")), 3, true);
    return tf.mul(tf.sub(gray, 0.5), 2);
  });
}
